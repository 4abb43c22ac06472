"""Type aliases shared by agrad's modules."""

from __future__ import annotations

from typing import Any, TypeAlias

#: A raw array of some backend library (numpy.ndarray, torch.Tensor, ...).
Array: TypeAlias = Any
#: An Array API namespace module (array_api_compat.numpy, agrad itself, ...).
Namespace: TypeAlias = Any
#: A backend's own device object ("cpu", torch.device, ...).
NativeDevice: TypeAlias = Any
#: A backend's own dtype object (numpy.dtype, torch.dtype, ...).
NativeDType: TypeAlias = Any
