"""The ``__init__`` code of the value types' shapes, compiled ahead (made by
``python -m tests.frozen_shapes``; do not edit).

``nvreq._frozen`` renames each function's fields and binds ``_set``, ``_MISSING`` and the
factories ``_f0``, ``_f1``, ... when it makes a class's ``__init__`` from it.
"""

# mypy: ignore-errors
# ruff: noqa: E501, F821


def _p(self, _0):
    _set(self, '_0', _0)


def _pf(self, _0, _1):
    _set(self, '_0', _0)
    _set(self, '_1', _f1() if _1 is _MISSING else _1)


def _pn(self, _0):
    _set(self, '_0', _0)
    _set(self, '_1', _f1())


def _pp(self, _0, _1):
    _set(self, '_0', _0)
    _set(self, '_1', _1)


def _ppf(self, _0, _1, _2):
    _set(self, '_0', _0)
    _set(self, '_1', _1)
    _set(self, '_2', _f2() if _2 is _MISSING else _2)


def _ppp(self, _0, _1, _2):
    _set(self, '_0', _0)
    _set(self, '_1', _1)
    _set(self, '_2', _2)


def _pppp(self, _0, _1, _2, _3):
    _set(self, '_0', _0)
    _set(self, '_1', _1)
    _set(self, '_2', _2)
    _set(self, '_3', _3)


def _pfppp(self, _0, _1, _2, _3, _4):
    _set(self, '_0', _0)
    _set(self, '_1', _f1() if _1 is _MISSING else _1)
    _set(self, '_2', _2)
    _set(self, '_3', _3)
    _set(self, '_4', _4)


def _ppppn(self, _0, _1, _2, _3):
    _set(self, '_0', _0)
    _set(self, '_1', _1)
    _set(self, '_2', _2)
    _set(self, '_3', _3)
    _set(self, '_4', _f4())


def _ppppp(self, _0, _1, _2, _3, _4):
    _set(self, '_0', _0)
    _set(self, '_1', _1)
    _set(self, '_2', _2)
    _set(self, '_3', _3)
    _set(self, '_4', _4)


def _ppppfp(self, _0, _1, _2, _3, _4, _5):
    _set(self, '_0', _0)
    _set(self, '_1', _1)
    _set(self, '_2', _2)
    _set(self, '_3', _3)
    _set(self, '_4', _f4() if _4 is _MISSING else _4)
    _set(self, '_5', _5)


def _pppppp(self, _0, _1, _2, _3, _4, _5):
    _set(self, '_0', _0)
    _set(self, '_1', _1)
    _set(self, '_2', _2)
    _set(self, '_3', _3)
    _set(self, '_4', _4)
    _set(self, '_5', _5)


def _ppppppf(self, _0, _1, _2, _3, _4, _5, _6):
    _set(self, '_0', _0)
    _set(self, '_1', _1)
    _set(self, '_2', _2)
    _set(self, '_3', _3)
    _set(self, '_4', _4)
    _set(self, '_5', _5)
    _set(self, '_6', _f6() if _6 is _MISSING else _6)


def _ppppppp(self, _0, _1, _2, _3, _4, _5, _6):
    _set(self, '_0', _0)
    _set(self, '_1', _1)
    _set(self, '_2', _2)
    _set(self, '_3', _3)
    _set(self, '_4', _4)
    _set(self, '_5', _5)
    _set(self, '_6', _6)


def _ppppfppf(self, _0, _1, _2, _3, _4, _5, _6, _7):
    _set(self, '_0', _0)
    _set(self, '_1', _1)
    _set(self, '_2', _2)
    _set(self, '_3', _3)
    _set(self, '_4', _f4() if _4 is _MISSING else _4)
    _set(self, '_5', _5)
    _set(self, '_6', _6)
    _set(self, '_7', _f7() if _7 is _MISSING else _7)


def _pppppppp(self, _0, _1, _2, _3, _4, _5, _6, _7):
    _set(self, '_0', _0)
    _set(self, '_1', _1)
    _set(self, '_2', _2)
    _set(self, '_3', _3)
    _set(self, '_4', _4)
    _set(self, '_5', _5)
    _set(self, '_6', _6)
    _set(self, '_7', _7)


def _pppppppfp(self, _0, _1, _2, _3, _4, _5, _6, _7, _8):
    _set(self, '_0', _0)
    _set(self, '_1', _1)
    _set(self, '_2', _2)
    _set(self, '_3', _3)
    _set(self, '_4', _4)
    _set(self, '_5', _5)
    _set(self, '_6', _6)
    _set(self, '_7', _f7() if _7 is _MISSING else _7)
    _set(self, '_8', _8)


def _ppppppppp(self, _0, _1, _2, _3, _4, _5, _6, _7, _8):
    _set(self, '_0', _0)
    _set(self, '_1', _1)
    _set(self, '_2', _2)
    _set(self, '_3', _3)
    _set(self, '_4', _4)
    _set(self, '_5', _5)
    _set(self, '_6', _6)
    _set(self, '_7', _7)
    _set(self, '_8', _8)


def _pppppppppf(self, _0, _1, _2, _3, _4, _5, _6, _7, _8, _9):
    _set(self, '_0', _0)
    _set(self, '_1', _1)
    _set(self, '_2', _2)
    _set(self, '_3', _3)
    _set(self, '_4', _4)
    _set(self, '_5', _5)
    _set(self, '_6', _6)
    _set(self, '_7', _7)
    _set(self, '_8', _8)
    _set(self, '_9', _f9() if _9 is _MISSING else _9)


def _pppppppppppppppp(self, _0, _1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15):
    _set(self, '_0', _0)
    _set(self, '_1', _1)
    _set(self, '_2', _2)
    _set(self, '_3', _3)
    _set(self, '_4', _4)
    _set(self, '_5', _5)
    _set(self, '_6', _6)
    _set(self, '_7', _7)
    _set(self, '_8', _8)
    _set(self, '_9', _9)
    _set(self, '_10', _10)
    _set(self, '_11', _11)
    _set(self, '_12', _12)
    _set(self, '_13', _13)
    _set(self, '_14', _14)
    _set(self, '_15', _15)


def _ppppppppppppppppppppppp(self, _0, _1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22):
    _set(self, '_0', _0)
    _set(self, '_1', _1)
    _set(self, '_2', _2)
    _set(self, '_3', _3)
    _set(self, '_4', _4)
    _set(self, '_5', _5)
    _set(self, '_6', _6)
    _set(self, '_7', _7)
    _set(self, '_8', _8)
    _set(self, '_9', _9)
    _set(self, '_10', _10)
    _set(self, '_11', _11)
    _set(self, '_12', _12)
    _set(self, '_13', _13)
    _set(self, '_14', _14)
    _set(self, '_15', _15)
    _set(self, '_16', _16)
    _set(self, '_17', _17)
    _set(self, '_18', _18)
    _set(self, '_19', _19)
    _set(self, '_20', _20)
    _set(self, '_21', _21)
    _set(self, '_22', _22)
