"""Write ``expected/<device>.txt`` from a matrix run's results, each failure with its reason.

Every failure of agrad's run must match one rule below (module, a regular expression on the
test id, one on the failure's first line, the reason); the reason says whether it is the suite
special-casing the native backends by name (``suite:``), a difference of Array API versions
(``spec:``), a failure the native library has too (``native:``), or an agrad gap with a
minimal repro in the report of the session that measured it (``agrad:``). A failure no rule
explains is printed and makes the script exit 1: classify it before it goes into a list.

    python tests/suites/classify.py            # all devices with results under $AGRAD_SUITES_OUT
    python tests/suites/classify.py --device torch:cpu
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import run as runner  # noqa: E402

DEVICES_FIXTURE = (
    "spec: SciPy's `devices` fixture appends `[None]` to `__array_namespace_info__().devices()`, "
    "a list up to Array API 2024.12 (SciPy pins array_api_strict to 2024.12); agrad implements "
    "2025.12, where it is a tuple"
)
RULES: list[tuple[str, str, str, str]] = [
    (
        "scipy.stats",
        r"test_device_dtype\.py::test_hypothesis_tests\[(numpy|torch|jax\.numpy)-float(32|64)-"
        r"ttest_(1samp|rel|ind)\]",
        r"DeviceMismatchError: `subtract` got tensors on two devices",
        "suite: SciPy marks test_hypothesis_tests `cpu_only` (torch runs it on its CPU device "
        "only, CuPy and JAX excepted): the t-test's confidence interval brackets a root "
        "(optimize's bracket_root) from Python-number bounds that `xp_promote` makes on the "
        "default device and broadcasts beside the data. The test iterates `devices()`, which "
        "for agrad lists other libraries' devices: non-default devices, as CUDA is for torch",
    ),
    (
        "scipy.stats",
        r"test_device_dtype\.py::test_differential_entropy\[(numpy|torch|jax\.numpy)-"
        r"float(32|64)-correa\]",
        r"on 'array_api_strict' cannot take .*Integer index arrays",
        "suite: SciPy skips differential_entropy's 'correa' method on array_api_strict and "
        "dask.array by name (invalid fancy indexing); the test iterates `devices()`, which for "
        "agrad lists the array_api_strict device in the other backends' runs",
    ),
    (
        "scipy.signal",
        r"TestGroupDelay::\w+\[array_api_strict\]",
        r"on 'array_api_strict' cannot take \((float64|complex128) of shape .*int64",
        "agrad: by design: SciPy's group_delay is NumPy code (np.atleast_1d, np.convolve, "
        "`c * np.arange(c.size)`), which turns array_api_strict's own arrays into NumPy "
        "arrays; agrad's tensors stay tensors under NumPy's functions (so they stay "
        "differentiable), and on the strict device they keep the standard's refusal to mix "
        "integer and floating arrays",
    ),
    # (module, test id regex, message regex, reason)
    ("scipy.*", r".", r'can only concatenate tuple \(not "list"\) to tuple', DEVICES_FIXTURE),
    (
        "scipy.special",
        r"test_support_alternative_backends\[[\w.]+-chdtrc-",
        r"AssertionError",
        "suite: SciPy's generic chdtrc (taken for any namespace with a `special` gammaincc, as "
        "agrad's) returns 1 for v>0, x<0 where SciPy's ufunc returns nan (scipy/scipy#20972); "
        "the test draws positive inputs only for backends it names (cupy, jax.numpy, torch)",
    ),
    (
        "scipy.special",
        r"test_support_alternative_backends\[[\w.]+-stdtr-intp-",
        r"AssertionError",
        "suite: SciPy's generic stdtr squares its int64 arguments before any cast (t**2 + df "
        "wraps at the test's full-range int64 draws); SciPy's NumPy path and torch's fallback "
        "(torch_native=False) cast to float64 first",
    ),
    (
        "scipy.special",
        r"test_support_alternative_backends\[torch-polygamma-",
        r"negative n",
        "suite: torch's polygamma refuses n < 0; the test draws n >= 0 for 'torch' only "
        "(positive_only={'torch': ...})",
    ),
    (
        "scipy.special",
        r"test_support_alternative_backends\[torch-j1-",
        r"AssertionError",
        "suite: torch's bessel_j1 is accurate to ~1e-7; the test loosens its tolerance for "
        "is_torch(xp) only",
    ),
    (
        "array_api_extra",
        r"\[torch[]-]",
        r"has no attribute 'device'",
        "suite: the `device` fixture returns `xp.device('meta')` for Backend.TORCH (torch's own "
        "API, not the standard's)",
    ),
    (
        "array_api_extra",
        r"TestNanToNum::",
        r"AssertionError",
        "suite: the `infinity` fixture is float32's max for Backend.TORCH (torch's default "
        "dtype); agrad's torch:cpu default dtype is float64, as its __array_namespace_info__ "
        "says",
    ),
    (
        "array_api_extra",
        r"TestSearchsorted::test_nd\[torch-searchsorted0-\w+-True-",
        r"AssertionError",
        "suite: torch sorts NaNs differently; the test skips NaN inputs for "
        "is_torch_namespace(xp) only",
    ),
    (
        "array_api_extra",
        r"TestNUnique::test_delegates",
        r"array-agnostic fallback should not be used",
        "suite: checks that nunique delegates to the native library's own function for the "
        "named backends; agrad takes the array-agnostic path",
    ),
    (
        "array_api_extra",
        r"test_check_scalar\[numpy-",
        r"DID NOT RAISE",
        "suite: for Backend.NUMPY the test expects `x[()]` to be a NumPy scalar (not a 0-d "
        "array); agrad returns a 0-d tensor, as every other library",
    ),
    (
        "scipy.stats",
        r"Test_XPSearchsorted::test_nd\[torch-\w+-True-",
        r"AssertionError",
        "suite: torch sorts NaNs differently; the test skips NaN inputs for is_torch(xp) only",
    ),
    (
        "scipy.signal",
        r"TestCorrelateReal::test_rank1_\w+\[torch-uint(16|32|64)\]",
        r"not implemented for 'UInt(16|32|64)'",
        "suite: torch's CPU kernels lack uint16/32/64 (abs, max, ...); the test skips those "
        "dtypes for is_torch(xp) only",
    ),
    (
        "scipy.ndimage",
        r"test_gaussian_filter_float16\[",
        r"has no attribute 'float16'",
        "suite: the standard has no float16 (nor has agrad); the test skips the backends it "
        "names without it (array_api_strict, dask.array)",
    ),
    (
        "scipy.ndimage",
        r"TestVectorizedFilter::test_input_validation\[",
        r"Regex pattern did not match",
        "suite: the expected error is a regex of each named library's own message for "
        "asarray('a duck'); agrad's message is its own",
    ),
    (
        "scipy.ndimage",
        r"test_generic_filter01\[torch-uint(16|32|64)\]|test_standard_deviation07\[torch\]",
        r"not implemented for 'UInt|cannot be converted to type uint8 without overflow",
        "suite: torch's kernels lack wide unsigned floor division / overflow on uint8; the "
        "test xfails these for is_torch(xp) only",
    ),
    (
        "scipy.cluster",
        r"\[dask\.array",
        r"wrap_func_shape_as_first_arg|chunk sizes are unknown|Regex pattern did not match|"
        r"cannot broadcast shape \(nan",
        "suite: array-api-extra (vendored in SciPy) turns off boolean indexing and "
        "data-dependent shapes for Dask by name (is_dask_namespace); agrad's capabilities() "
        "says True on every device, so nunique/apply_where take the mask paths and meet "
        "Dask's unknown (nan) sizes; agrad's ones_like of such an array fails too",
    ),
    (
        "scipy.special",
        r"test_support_alternative_backends\w*\[array_api_strict-(chdtr|chdtrc|stdtr|stdtrit)[-\]]",
        r"BackendTypeError: `agrad\.(divide|add)`|Fancy indexing __setitem__",
        "suite: SciPy's generic chdtr/chdtrc/stdtr/stdtrit (taken because agrad has a "
        "`special` namespace) divide int64 arrays, add float32 to int64 and write through "
        "masks, which array_api_strict refuses; SciPy sends array_api_strict itself (no "
        "`special`) to its NumPy fallback",
    ),
    (
        "scipy.special",
        r"test_support_alternative_backends\w*\[dask\.array-(rel_entr|stdtrit)[-\]]",
        r"Backend(Value|Index)Error: `Tensor\.__(get|set)item__` on 'dask'|"
        r"Dask does not know how many elements",
        "suite: SciPy's generic rel_entr/stdtrit (taken because agrad has a `special` "
        "namespace) index and write through masks, eager code that meets Dask's unknown (nan) "
        "sizes; SciPy sends dask.array itself (no `special`) to map_blocks",
    ),
    (
        "array_api_extra",
        r"\[array_api_strict[]-]",
        r"Unknown backend 'device1'",
        "suite: the `device` fixture returns `xp.Device('device1')` for "
        "Backend.ARRAY_API_STRICT (array_api_strict's own device objects)",
    ),
    (
        "scipy.ndimage",
        r"TestVectorizedFilter::\w+\[(array_api_strict|dask\.array)-",
        r"Single-axes index|`Tensor\.__getitem__` on 'dask' cannot take .*Slicing with d",
        "suite: the test passes a boolean `footprint` (so a mask index beside `...`, which "
        "array_api_strict refuses) except for is_array_api_strict(xp) and is_dask(xp)",
    ),
    (
        "scipy.stats",
        r"test_resampling\.py::\w+::\w+\[array_api_strict",
        r"Integer index arrays are only allowed|DID NOT WARN",
        "suite: SciPy's bootstrap indexes `sample[..., i]` except for "
        "is_array_api_strict(xp), which takes a strict-clean path",
    ),
    (
        "scipy.stats",
        r"\[array_api_strict[]-]",
        r"`agrad\.add` on 'array_api_strict' cannot take \(float64 of shape \(.*\), int64|"
        r"Fancy indexing __setitem__",
        "suite: the t-test's CIs call SciPy's generic stdtr/stdtrit (taken because agrad has a "
        "`special` namespace), which add int64 to float64 and write through masks, refused by "
        "array_api_strict; SciPy sends array_api_strict itself to its NumPy fallback",
    ),
    (
        "array_api_extra",
        r"test_lazy_xp_function_cython_ufuncs\[array_api_strict\]",
        r"DID NOT RAISE",
        "suite: expects array_api_strict's arrays to refuse NumPy conversion inside a Cython "
        "ufunc; agrad's tensors convert (as NumPy, torch and the others do)",
    ),
    (
        "scipy.ndimage",
        r"TestVectorizedFilter::test_edge_cases\[(array_api_strict|dask\.array)\]",
        r"Single-axes index True|Too many indices for array",
        "suite: vectorized_filter indexes a 0-d array with `[True]` on the path the test "
        "takes; the test leaves it out for is_array_api_strict(xp) and is_dask(xp). Not "
        "traced further",
    ),
    (
        "scipy.signal",
        r"\[array_api_strict[]-]",
        r"eigvals requires API version 2025\.12",
        "native: fails on array_api_strict itself too: SciPy's conftest pins array_api_strict "
        "to API 2024.12 (no linalg.eigvals), and agrad's strict device runs on that module",
    ),
    (
        "scipy.signal",
        r"TestGroupDelay::test_singular\[array_api_strict\]",
        r"DID NOT WARN",
        "agrad: by design, as the other TestGroupDelay tests: `c * np.arange(c.size)` refuses "
        "to mix complex128 and int64 on the strict device, inside `pytest.warns`, which then "
        "reports the warning missing",
    ),
    (
        "array_api_extra",
        r"\[dask[]-]",
        r"Backend(Index|Value)Error: `Tensor\.__(get|set)item__` on 'dask'|"
        r"shapes do not match: \(nan|assert False|assert <module 'agrad'|"
        r"wrap_func_shape_as_first_arg|does not support `numpy\.u|"
        r"Dask does not know how many elements|RuntimeWarning: (divide by zero|invalid value)|"
        r"DID NOT RAISE AssertionError|^AssertionError: $",
        "suite: array-api-extra takes Dask's lazy paths by name (is_dask_namespace / "
        "is_lazy_array: `at`, apply_where and isclose chunk by chunk, nunique, setdiff1d, "
        "lazy_apply, and its test helpers compute Dask arrays and their nan shapes); agrad on "
        "dask takes the general ones: mask writes of unknown length, which Dask cannot do, "
        "or, as agrad's capabilities() on Dask say no boolean indexing (as Dask's own), "
        "`where` over both branches everywhere, where NumPy warns (a division by zero) on "
        "elements the masked path leaves out",
    ),
    (
        "array_api_extra",
        r"\[jax[]-]",
        r"scatter inputs have incompatible types|DID NOT (RAISE|WARN)|assert False|"
        r"^AssertionError: $|array-agnostic fallback",
        "suite: array-api-extra special-cases JAX by name: jax.jit wrapping and the errors it "
        "raises (lazy_xp_function, lazy_apply), JAX's FutureWarning on casting scatters, "
        "NaN inputs to searchsorted xfailed for is_jax_namespace, delegation to JAX's nunique",
    ),
    (
        "scipy.signal",
        r"::(TestFirls::test_rank_deficient|TestFreqz_sos::test_freqz_sos_design_ellip)"
        r"\[dask\.array\]",
        r"Shapes do not match",
        "suite: the test indexes with a boolean mask (a result of data-dependent, nan, size "
        "on Dask); SciPy's assertions compute dask.array's by name (is_dask) before comparing "
        "shapes, and agrad's dask tensors keep the nan size",
    ),
    (
        "scipy.ndimage",
        r"test_value_indices0\d\[dask\.array\]",
        r"Shapes do not match",
        "suite: value_indices returns arrays of data-dependent (nan) sizes on Dask; SciPy "
        "computes dask.array results by name before comparing shapes",
    ),
    (
        "scipy.stats",
        r"\[dask\.array[]-]",
        r"Backend(Index|Value)Error: `Tensor\.__(get|set)item__` on 'dask'|DID NOT WARN|"
        r"Dask does not know how many elements",
        "suite: SciPy's stats code writes and reads through masks with xpx.at/apply_where, "
        "which take Dask's lazy paths by name (is_dask_namespace); agrad on dask takes the "
        "eager ones, which Dask cannot do with 0-d masks or unknown (nan) sizes; warnings "
        "are expected from eager backends only",
    ),
    (
        "scipy.special",
        r"test_support_alternative_backends\w*\[jax\.numpy-(betaln|polygamma)[-\]]",
        r"AssertionError",
        "suite: JAX's betaln/polygamma differ from SciPy's at negative integers and keep "
        "float32; the test draws positive inputs for 'jax.numpy' by name "
        "(positive_only={'jax.numpy': ...}) and xfails the dtype cases for is_jax(xp)",
    ),
]


def reason_for(module: str, tid: str, message: str) -> str | None:
    for mod, tid_re, msg_re, reason in RULES:
        if re.fullmatch(mod.replace(".", r"\.").replace("*", ".*"), module) is None:
            continue
        if re.search(tid_re, tid) and re.search(msg_re, message):
            return reason
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--device", nargs="*", default=list(runner.DEVICES))
    args = parser.parse_args(argv)
    unexplained = 0
    for device in args.device:
        lines = []
        if all(runner.load(m, device, native=False) is None for m in runner.MODULES):
            continue  # nothing measured on this device: keep its list as it is
        for module in runner.MODULES:
            data = runner.load(module, device, native=False)
            if data is None:
                continue
            for tid in sorted(runner.failures(data)):
                message = data["messages"].get(tid, "")
                reason = reason_for(module, tid, message)
                if reason is None:
                    unexplained += 1
                    print(f"UNEXPLAINED {device} {module}::{tid}  ({message[:200]})")
                    continue
                lines.append(f"{module}::{tid}  # {reason}")
        path = runner.EXPECTED / f"{device.replace(':', '-')}.txt"
        path.parent.mkdir(exist_ok=True)
        head = (
            f"# agrad on {device}: the tests of SciPy's and array-api-extra's suites that fail, "
            "each with its reason (tests/suites/classify.py writes this file)\n"
        )
        path.write_text(head + "".join(f"{line}\n" for line in lines))
        kinds = {
            k: sum(1 for line in lines if f"  # {k}:" in line)
            for k in ("suite", "spec", "native", "agrad")
        }
        print(f"{device}: {len(lines)} expected failures {kinds} -> {path}")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
