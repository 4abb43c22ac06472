"""The differential fuzzer: random programs run on agrad and on torch.autograd, compared.

``ops`` is the table of operation kinds (a plan that picks inputs and parameters valid for
the concrete values at hand, an agrad callable and a torch callable), ``keys`` builds index
keys for both worlds, ``program`` generates, runs and checks programs, and ``run`` is the
command-line driver of the thorough profile (``python tests/fuzz/run.py --help``).
"""
