"""Wrappers: a decorator that is a plain closure, a functools.wraps decorator, functools.partial,
lru_cache and cache, np.vectorize; function bodies change (v2, in place), then again with a new
statement, so the module runs again (v3)."""

IMPORT = "from wrappers import tools"
BEFORE = "g = tools.greet; sh = tools.shout; d = tools.double; sq = tools.square; sq(3); cu = tools.cube; cu(2); vc = tools.vclip"
CHECKS = {
    2: {
        "a closure decorator (no functools.wraps)": "g('x') == 'hi x' and tools.greet is g",
        "a functools.wraps decorator": "sh('x') == 'X!' and tools.shout is sh",
        "functools.partial": "d(3) == 7 and tools.double is d",
        "lru_cache, its cache cleared": "sq(3) == ('v2', 9) and tools.square is sq",
        "functools.cache": "cu(2) == ('v2', 8)",
        "np.vectorize": "list(vc([1, 20])) == [1, 5] and tools.vclip is vc",
    },
    3: {
        "a closure decorator (no functools.wraps)": "g('x') == 'hey x' and tools.greet is g",
        "functools.partial": "d(3) == 7 and tools.double is d",
        "lru_cache, its cache cleared": "sq(3) == ('v3', 9) and tools.square is sq",
        "np.vectorize": "list(vc([1, 20])) == [1, 3] and tools.vclip is vc",
    },
}
