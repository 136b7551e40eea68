"""Junk in any argument position of every public function: a TypeError or ValueError, never another exception
and never a crash of the interpreter (the test runs in this process: a crash fails the whole file)."""
import numpy as np
import pytest

import actopo

JUNK = [None, "x", 3.5, -1, [], [[1, 2, 3]], {}, object(), np.array([]), np.array([[np.nan, 1.0]]),
        np.zeros((2, 2, 2)), np.array(["a", "b"]), np.ones((3, 2), dtype=complex)]

GOOD_X = np.random.default_rng(0).normal(size=(20, 3))
D = np.array([[0.0, 1.0], [0.5, 2.0]])


def calls():
    yield "rips", lambda v, k: actopo.rips(*([v] if k == 0 else [GOOD_X]), **({} if k == 0 else {("maxdim", "thresh", "coeff", "metric", "n_threads", "backend")[k - 1]: v}))
    for f in (actopo.bottleneck, actopo.wasserstein, actopo.sliced_wasserstein):
        yield f.__name__, lambda v, k, f=f: f(v, D) if k == 0 else f(D, v)
    yield "pairwise_distances", lambda v, k: actopo.pairwise_distances(v) if k == 0 else actopo.pairwise_distances([D, D], metric=v)
    for f in (actopo.cka, actopo.svcca, actopo.pwcca, actopo.procrustes, actopo.rsa):
        yield f.__name__, lambda v, k, f=f: f(v, GOOD_X) if k == 0 else f(GOOD_X, v)
    yield "similarity_matrix", lambda v, k: actopo.similarity_matrix(v) if k == 0 else actopo.similarity_matrix({"a": GOOD_X}, metric=v)
    yield "Mapper.fit", lambda v, k: actopo.Mapper().fit(v) if k == 0 else actopo.Mapper(intervals=v).fit(GOOD_X)
    yield "BettiCurve", lambda v, k: actopo.BettiCurve().fit(v) if k == 0 else actopo.BettiCurve(resolution=v).fit([D])
    yield "PersistenceImage", lambda v, k: actopo.PersistenceImage().fit_transform(v) if k == 0 else actopo.PersistenceImage(bandwidth=v).fit([D])
    yield "Store", lambda v, k: actopo.Store(v)


@pytest.mark.parametrize("name,call", list(calls()), ids=[n for n, _ in calls()])
def test_junk_raises_type_or_value_error(name, call):
    for position in range(7 if name == "rips" else 2):
        for value in JUNK:
            try:
                call(value, position)
            except (TypeError, ValueError):
                pass
            except Exception as err:  # noqa: BLE001 - the point of the test
                pytest.fail(f"{name} with {value!r} at argument {position}: {type(err).__name__}: {err}")
