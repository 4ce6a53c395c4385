"""Models of the PyTorch track, one model (or one family of small models) per file.

- ``vgg_small``: :func:`build_vgg_small`, a small VGG-style network (09_cnn);
- ``resnet_block``: :class:`ResidualBlock` and :class:`TinyResNet` (09_cnn);
- ``char_rnn``: the character-level LSTM/GRU model (10_rnn);
- the generative models of 11_autoencoders and 12_gans in their own files.

Import a model from the module that holds it
(``from course_utils.torch_track.models.vgg_small import build_vgg_small``): this package
imports nothing by itself, so a missing or broken model file never hides the others.
"""
