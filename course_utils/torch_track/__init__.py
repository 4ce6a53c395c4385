"""The PyTorch track: device, training loop, benchmarks (CPU or CUDA, one code path)."""
