"""Generation of batched numpy code for a DAG of sympy expressions.

The nodes are evaluated level by level in the (node, point) layout: every node
owns a row of one array ``V`` (the parameters its first rows), and the nodes of
one level that do the same operation (a tanh, a product of three factors, a sum
of two terms, ...) are computed together by a few numpy calls over the block of
rows they own, whatever their number. The time then grows with the depth of the
DAG and the number of distinct operations, not with the number of nodes.

The rows of a group are ordered as the next level reads them, so that most
reads are slices of V or broadcasts of a block of rows rather than gathers; the
linear forms in the parameters are one matrix product (batched over blocks for
the pre-activations of a layer, reading W in place, sparse when scattered), sums
of consecutive rows one reduction (one einsum when they add products), and
polynomials in one node go by Horner's rule (monic when their node is a linear
form of their own). The outputs are copied into ``out`` by blocks of rows where
their places allow it, a constant factor of theirs applied on the way.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse
import sympy
from sympy.printing.numpy import SciPyPrinter

from ._dag import _Affine, _constants, _parent_counts, _plain, _polynomial, _small_power
from ._outputs import _Outputs

_PRINTER = SciPyPrinter({"fully_qualified_modules": True})

_FUNCS = {
    sympy.exp: "numpy.exp", sympy.log: "numpy.log", sympy.tanh: "numpy.tanh", sympy.sinh: "numpy.sinh",
    sympy.cosh: "numpy.cosh", sympy.sin: "numpy.sin", sympy.cos: "numpy.cos", sympy.tan: "numpy.tan",
    sympy.atan: "numpy.arctan", sympy.asin: "numpy.arcsin", sympy.acos: "numpy.arccos",
    sympy.asinh: "numpy.arcsinh", sympy.acosh: "numpy.arccosh", sympy.atanh: "numpy.arctanh",
    sympy.erf: "scipy.special.erf", sympy.erfc: "scipy.special.erfc", sympy.Abs: "numpy.abs",
    sympy.sign: "numpy.sign",
}

# Linear forms go through a sparse product when at most this fraction of their coefficients is nonzero.
_SPARSE_DENSITY = 0.1


def generate(params, exprs, shape, index, symmetric):
    """(source of ``_evaluate(W, V, out)``, its constants, the number of rows of V): given points ``W`` of
    shape (k, m) and a work array ``V`` of shape (rows, k), the function fills ``out`` (``shape + (k,)``)
    with the expressions at ``index`` (and at the transposed positions in the last two axes when
    ``symmetric``). Row j < m of V holds parameter j (copied from W when read), the others the nodes."""
    return _Program(params, exprs).source(shape, index, symmetric)


class _Program(_Outputs):
    """The DAG of ``exprs`` as typed nodes, each with a level and, once scheduled, a row of ``V``."""

    def __init__(self, params, exprs):
        self.params = list(params)
        self.exprs = list(exprs)
        self.m = len(self.params)
        self.const = _constants(self.exprs, set(self.params))
        self.parents = _parent_counts(self.exprs)
        self.affine = _Affine(self.params)
        self.kind = {p: ("param", j) for j, p in enumerate(self.params)}  # node -> (kind, data)
        self.level = dict.fromkeys(self.params, 0)
        self.alias = {}  # node -> the node whose row it shares
        stack = [(e, False) for e in self.exprs]
        while stack:  # top-down (a node decides which children it computes itself), iteratively
            e, done = stack.pop()
            if done:
                self._finish(e)
            elif not self._known(e):
                stack.append((e, True))
                stack.extend((a, False) for a in self._start(e) if not self._known(a))

    def _known(self, e):
        return e in self.kind or e in self.alias or self.const.get(e) is not None

    def _single(self, e):
        """Whether e is used by one parent only and so can be merged into it."""
        return self.parents.get(e, 0) == 1 and not self._known(e)

    def _factors(self, e):
        """(constant, factors) of a product, through the single-use products and small powers it contains."""
        c, out = 1.0, []
        for a in e.args:
            v = self.const.get(a)
            if v is not None:
                c *= v
            elif a.is_Mul and _plain(a) and self._single(a):
                c2, f2 = self._factors(a)
                c, out = c * c2, out + f2
            elif a.is_Pow and _small_power(a) and self._single(a):
                out += [a.args[0]] * int(a.args[1])
            else:
                out.append(a)
        return c, out

    def _terms(self, e):
        """(constant, [(coefficient, term)]) of a sum, through its single-use sums and constant multiples."""
        b, out = 0.0, []
        for a in e.args:
            v = self.const.get(a)
            if v is not None:
                b += v
            elif a.is_Add and _plain(a) and self._single(a) and self.affine(a) is None:
                b2, t2 = self._terms(a)
                b, out = b + b2, out + t2
            elif a.is_Mul and _plain(a):
                c, fs = self._factors(a)
                if len(fs) == 1:
                    out.append((c, fs[0]))
                elif c != 1.0 and fs and np.isfinite(c):  # the constant moves to the sum's coefficients
                    out.append((c, sympy.Mul(*fs, evaluate=False)))
                else:
                    out.append((1.0, a))
            else:
                out.append((1.0, a))
        return b, out

    def _term_key(self, term):
        """Terms of a sum in the order of the parameters they multiply, so that the sums of a group read
        their terms in the same pattern (sympy orders the terms of each sum by the whole expression)."""
        t = term[1]
        if t in self.affine.index:
            return (self.affine.index[t],)
        return tuple(sorted(self.affine.index[a] for a in t.args if a in self.affine.index)) if t.is_Mul else ()

    def _start(self, e):
        """Record how node ``e`` is computed; return the nodes it needs."""
        kind = None
        if not e.args or not _plain(e):
            kind = None
        elif e.is_Add:
            form = self.affine(e)
            if form is not None and form[0]:
                kind = ("lin", form)
            else:
                b, terms = self._terms(e)
                terms.sort(key=self._term_key)
                if np.isfinite(b) and all(np.isfinite(c) for c, _ in terms):
                    kind = _polynomial(b, terms) or ("add", (b, terms))
        elif e.is_Mul and self._scaled_form(e):
            kind = ("lin", self.affine(e))
        elif e.is_Mul:
            c, fs = self._factors(e)
            if np.isfinite(c) and fs:
                kind = ("mul", (c, fs)) if (c != 1.0 or len(fs) != 1) else ("alias", fs[0])
        elif e.is_Pow and _small_power(e):
            kind = ("mul", (1.0, [e.args[0]] * int(e.args[1])))
        elif e.is_Pow and self.const.get(e.args[1]) is not None:
            kind = ("pow", self.const[e.args[1]])
        elif isinstance(e, sympy.Function) and len(e.args) == 1 and e.func in _FUNCS:
            kind = ("func", _FUNCS[e.func])
        if kind is None and e.args and _plain(e) and (
                e.is_Add or e.is_Mul or e.is_Pow or (isinstance(e, sympy.Function) and len(e.args) == 1)):
            kind = ("node", None)
        if kind is None:  # piecewise, Max/Min, ...: the whole subtree printed over the parameters
            kind = ("whole", None)
        self.kind[e] = kind
        return self._children(kind, e)

    def _scaled_form(self, e):
        """Whether e is a constant times a sum affine in two or more parameters that only e uses."""
        form = self.affine(e)
        if form is None or len(form[0]) < 2:
            return False
        return all(self.const.get(a) is not None or (a.is_Add and self._single(a)) for a in e.args)

    def _finish(self, e):
        """The level of ``e`` once its children have theirs (an alias takes its target's row)."""
        kind, data = self.kind[e]
        if kind == "alias":
            del self.kind[e]
            self.alias[e] = self._resolve(data)
            return
        self.level[e] = 1 + max((self.level[self._resolve(a)] for a in self._children((kind, data), e)
                                 if self.const.get(a) is None), default=0)

    def _children(self, kind, e):
        if kind[0] == "add":
            return [t for _, t in kind[1][1]]
        if kind[0] == "poly":
            return [kind[1][0]]
        if kind[0] == "mul":
            return kind[1][1]
        if kind[0] == "alias":
            return [kind[1]]
        if kind[0] in ("lin", "whole"):
            return []
        if kind[0] == "pow":
            return [e.args[0]]
        return list(e.args)

    def _resolve(self, e):
        while e in self.alias:
            e = self.alias[e]
        return e

    # -- scheduling and code ------------------------------------------------------
    def source(self, shape, index, symmetric):
        self._share_scaled()
        self.readers = self._readers()
        groups = {}
        for e, (kind, data) in self.kind.items():
            if kind == "param":
                continue
            key = (self.level[e], kind)
            if kind in ("func", "pow"):
                key += (data,)
            elif kind in ("mul", "add"):
                key += (len(data[1]),)
            elif kind == "poly":
                key += (tuple(sorted(data[2])),)
            groups.setdefault(key, []).append(e)
        self._monic()
        order = sorted(groups, key=lambda k: (k[0], str(k[1:])))
        self._arrange(order, groups)
        row = {p: j for j, p in enumerate(self.params)}
        nrows = self.m
        for key in order:  # each group's rows contiguous
            for e in groups[key]:
                row[e] = nrows
                nrows += 1
        self.row = row
        self.scratch = nrows  # rows nrows.. are scratch space, as many as the largest group has nodes
        nrows += max((len(g) for g in groups.values()), default=0)
        self.constants, self.read_all = {}, False
        lines = ["def _evaluate(W, V, out):"]
        plan = self._output_plan(shape, index, symmetric)
        self.copy_scales, self.deferred, self.remap = self._scaled_on_copy(plan), {}, {}
        self.weighted = self._weighted_sums(order, groups)
        skipped = {id(muls) for muls in self.weighted.values()}
        for key in order:
            if id(groups[key]) not in skipped:
                self._emit_group(lines, key[1], groups[key])
        self._emit_outputs(lines, plan)
        lines[1:1] = [f"    V[{a}:{b}] = W[:, {a}:{b}].T" for a, b in _runs(sorted(self._params_read()))]
        lines.append("    return out")
        return "\n".join(lines) + "\n", self.constants, nrows

    def _weighted_sums(self, order, groups):
        """{first node of a group of sums: the group of products it adds} when the sums add consecutive rows,
        each with one coefficient, that are exactly a group of products of two factors (no constant) read by
        nothing else: the sums of products are then one einsum, and the products are not stored."""
        readers = self.readers
        products = {self.row[groups[k][0]]: groups[k] for k in order if k[1:] == ("mul", 2)}
        fused = {}
        for key in order:
            if key[1] != "add":
                continue
            nodes = groups[key]
            rows = np.array([[self._at(t) for _, t in self.kind[e][1][1]] for e in nodes], dtype=np.intp)
            coef = np.array([[c for c, _ in self.kind[e][1][1]] for e in nodes])
            n, p = rows.shape
            muls = products.get(int(rows[0, 0]))
            if (p < 2 or muls is None or len(muls) != n * p or np.any(coef != coef[:, :1])
                    or not np.array_equal(rows.ravel(), np.arange(rows[0, 0], rows[0, 0] + n * p))):
                continue
            if all(self.kind[e][1][0] == 1.0 and readers.get(e, 0) == 1 for e in muls):
                fused[nodes[0]] = muls
        return fused

    def _share_scaled(self):
        """Products that differ only by their constant are computed once, each then scaled (by the copy into
        ``out`` when it is an output), and so are sums b + sum c t read by one product that differ only by a
        factor: the product takes b, the sum 1 + sum (c/b) t is shared."""
        readers = self._readers()
        mul_readers = {}
        for e, (kind, data) in self.kind.items():
            if kind == "mul":
                for a in data[1]:
                    mul_readers.setdefault(self._resolve(a), []).append(e)
        alike = {}  # (terms) -> [[ratios, sums...]]
        for e, (kind, data) in self.kind.items():
            b, terms = data if kind == "add" else (0.0, ())
            if not _moderate(b) or readers.get(e) != 1 or len(mul_readers.get(e, ())) != 1:
                continue
            ratios = [c / b for c, _ in terms]
            if not all(np.isfinite(ratios)):
                continue
            same = alike.setdefault(tuple(self._resolve(t) for _, t in terms), [])
            for entry in same:  # equal ratios up to rounding: the first one's are taken
                if _equal_up_to_rounding(ratios, entry[0]):
                    entry.append(e)
                    break
            else:
                same.append([ratios, e])
        made = iter(range(len(self.kind) + 1))  # keys of the nodes made here (never a sympy node's)
        taken = []  # the ratios of the shared sums so far, which the next ones take when equal up to rounding
        for terms, entries in alike.items():
            for ratios, *sums in entries:
                if len(sums) < 2:
                    continue
                ratios = next((r for r in taken if _equal_up_to_rounding(ratios, r)), ratios)
                taken.append(ratios)
                core = ("sum", next(made))
                self.kind[core] = ("add", (1.0, list(zip(ratios, terms))))
                for e in sums:
                    (parent,), b = mul_readers[e], self.kind.pop(e)[1][0]
                    c, fs = self.kind[parent][1]
                    self.kind[parent] = ("mul", (c * b, [core if self._resolve(f) == e else f for f in fs]))
        products = {}
        for e, (kind, data) in self.kind.items():
            if kind == "mul" and len(data[1]) > 1:
                products.setdefault(tuple(self._resolve(f) for f in data[1]), []).append(e)
        for fs, nodes in products.items():
            if len(nodes) > 1:
                core = ("product", next(made))
                self.kind[core] = ("mul", (1.0, list(fs)))
                for e in nodes:
                    if self.kind[e][1][0] == 1.0:  # the product itself: its row
                        del self.kind[e]
                        self.alias[e] = core
                    else:
                        self.kind[e] = ("mul", (self.kind[e][1][0], [core]))
        self._relevel()

    def _relevel(self):
        """The level of every node (1 + the highest of its children's) after nodes were added."""
        level = dict.fromkeys(self.params, 0)
        for top in self.kind:
            stack = [top]
            while stack:
                e = stack[-1]
                if e in level:
                    stack.pop()
                    continue
                kids = [self._resolve(a) for a in self._children(self.kind[e], e) if self.const.get(a) is None]
                missing = [a for a in kids if a not in level]
                if missing:
                    stack.extend(missing)
                else:
                    level[e] = 1 + max((level[a] for a in kids), default=0)
                    stack.pop()
        self.level = level

    def _readers(self):
        """{node: how many nodes and outputs read it}."""
        readers = {}
        for e in self.exprs:
            readers[self._resolve(e)] = readers.get(self._resolve(e), 0) + 1
        for e, (kind, data) in self.kind.items():
            if kind != "param":
                for a in map(self._resolve, self._children((kind, data), e)):
                    readers[a] = readers.get(a, 0) + 1
        return readers

    def _monic(self):
        """Polynomials a_d x^d + ... in a linear form x read by nothing else take x' = c x instead (the form's
        coefficients times c, c^d = a_d), and so have the leading coefficient 1: one pass less."""
        readers = self.readers
        for e, (kind, data) in list(self.kind.items()):
            if kind != "poly":
                continue
            x, b, a = data
            x = self._resolve(x)
            d = max(a)
            if self.kind.get(x, ("",))[0] != "lin" or readers.get(x) != 1 or a[d] == 0 or (d % 2 == 0 and a[d] < 0):
                continue
            c = float(np.sign(a[d]) * abs(a[d]) ** (1.0 / d))
            if not _moderate(c):
                continue
            coef, b0 = self.kind[x][1]
            form = ({j: v * c for j, v in coef.items()}, b0 * c)
            poly = {k: (1.0 if k == d else v / c**k) for k, v in a.items()}
            if all(np.isfinite(v) and (v != 0.0 or w == 0.0) for v, w in zip(
                    [*form[0].values(), form[1], *poly.values()], [*coef.values(), b0, *a.values()])):
                self.kind[x], self.kind[e] = ("lin", form), ("poly", (x, b, poly))

    def _summand(self, rows, n, p):
        """(text, einsum subscripts) of the factor read at ``rows`` (n sums of p terms, sum i, term r, in
        order) by a weighted sum: a row, a block of p rows (the same for every sum), a block of n rows (one
        per sum), all n*p rows in either order, or a gather."""
        kind, period, a = _pattern(rows)
        if kind == "one":
            return f"V[{a}]", "k"
        if kind == "slice":
            return f"V[{a}:{a + n * p}].reshape({n}, {p}, -1)", "irk"
        if kind == "tile" and period == p:
            return f"V[{a}:{a + p}]", "rk"
        if kind == "repeat" and period == p:
            return f"V[{a}:{a + n}]", "ik"
        if kind == "transpose" and period == p:
            return f"V[{a}:{a + n * p}].reshape({p}, {n}, -1)", "rik"
        return f"{self._rows(rows)}.reshape({n}, {p}, -1)", "irk"

    def _params_read(self):
        """The parameters whose rows of V are read (the linear forms read W itself when they can)."""
        if self.read_all or any(kind == "whole" for kind, _ in self.kind.values()):
            return range(self.m)
        index = {p: j for j, p in enumerate(self.params)}
        read = {index[a] for a in map(self._resolve, self.exprs) if a in index}
        for e, (kind, data) in self.kind.items():
            if kind not in ("param", "lin"):
                read.update(index[a] for a in map(self._resolve, self._children((kind, data), e)) if a in index)
        return read

    def _arrange(self, order, groups):
        """Order the nodes of each group as their first reader reads them (the outputs first), so that the
        reads of the next levels are slices of V rather than gathers, and sums of consecutive rows reduce."""
        rank = {}
        for i, e in enumerate(self.exprs):
            rank.setdefault(self._resolve(e), (-1, i, 0))
        for g, key in enumerate(reversed(order)):
            nodes = groups[key]
            nodes.sort(key=lambda e: rank.get(e, (len(order), 0, 0)))
            block = self._blocks(nodes) if key[1] == "lin" else None
            if block is not None and self._block_layout(nodes, block) is None:
                nodes.sort(key=lambda e: block[e])  # block after block (stable: each in its readers' order)
            for i, e in enumerate(nodes):
                for q, a in enumerate(self._children(self.kind[e], e)):
                    a = self._resolve(a)
                    if a in self.kind and (g, i, q) < rank.get(a, (len(order), 0, 0)):
                        rank[a] = (g, i, q)

    def _blocks(self, nodes):
        """{form: its block's parameters} when the linear forms fall into two or more blocks of as many
        forms each, the blocks in disjoint sets of parameters (fewer than all): the forms are then one
        batched product of small matrices (the pre-activations of a layer). Else None."""
        parent = {}

        def root(j):
            while parent.setdefault(j, j) != j:
                j = parent[j]
            return j
        for e in nodes:  # a block: the forms joined by shared parameters
            js = list(self.kind[e][1][0])
            for j in js:
                parent[root(j)] = root(js[0])
        members = {}
        for j in list(parent):
            members.setdefault(root(j), []).append(j)
        by = {}
        for e in nodes:
            by.setdefault(tuple(sorted(members[root(next(iter(self.kind[e][1][0])))])), []).append(e)
        sizes = {(len(s), len(f)) for s, f in by.items()}
        if len(by) < 2 or len(sizes) != 1:
            return None
        s, per = sizes.pop()
        if per < 2 or s >= self.m:
            return None
        return {e: sup for sup, forms in by.items() for e in forms}

    def _block_layout(self, nodes, block):
        """(blocks in order, [[form of block k, w-th] ...], transposed) when the rows of ``nodes`` are their
        blocks one after the other (transposed=False) or the w-th forms of all blocks one after the other
        (transposed=True, the order in which a layer's outputs are read), else None."""
        nb = len(set(block.values()))
        per = len(nodes) // nb
        for transposed in (True, False):
            at = (lambda k, w: nodes[w * nb + k]) if transposed else (lambda k, w: nodes[k * per + w])
            sups = [block[at(k, 0)] for k in range(nb)]
            forms = [[at(k, w) for w in range(per)] for k in range(nb)]
            if len(set(sups)) == nb and all(block[e] == sups[k] for k in range(nb) for e in forms[k]):
                return sups, forms, transposed
        return None

    def _at(self, e):
        return self.row[self._resolve(e)]

    def _const_array(self, values, column=True):
        name = f"_k{len(self.constants)}"
        self.constants[name] = np.asarray(values, dtype=float).reshape((-1, 1) if column else (-1,))
        return name

    def _rows(self, rows):
        """Text selecting ``rows`` of V: a slice when they are evenly spaced (no copy), else a gather."""
        rows = np.asarray(rows, dtype=np.intp)
        if len(rows) == 1:
            return f"V[{int(rows[0])}:{int(rows[0]) + 1}]"
        step = np.diff(rows)
        if step[0] > 0 and np.all(step == step[0]):
            return f"V[{int(rows[0])}:{int(rows[-1]) + 1}" + (f":{int(step[0])}]" if step[0] > 1 else "]")
        name = f"_i{len(self.constants)}"
        self.constants[name] = rows
        return f"V[{name}]"

    def _operands(self, lines, operands, o):
        """(texts of the operands, text of the output) of an elementwise operation of a group writing
        ``o``, each operand given by its rows. A block of rows read as it is, or repeated row after row
        (``V[a:b, None]``) or as a whole (``V[a:b]``) over the group, is read by broadcasting in a
        (blocks, L, points) view instead of being gathered; other rows are gathered once each."""
        operands = [tuple(int(r) for r in rows) for rows in operands]
        n = len(operands[0])
        shapes = [_pattern(np.asarray(r, dtype=np.intp)) for r in operands]
        L = next((s[1] for s in shapes if s[0] in ("tile", "repeat", "transpose")), None)
        texts, gathered = [], {}
        for rows, (kind, period, start) in zip(operands, shapes):
            if kind == "one":
                texts.append(f"V[{start}:{start + 1}]")
            elif kind == "slice":
                texts.append(f"V[{start}:{start + n}]" + (f".reshape({n // L}, {L}, -1)" if L else ""))
            elif kind == "tile" and period == L:
                texts.append(f"V[{start}:{start + L}]")
            elif kind == "transpose" and period == L:
                texts.append(f"V[{start}:{start + n}].reshape({L}, {n // L}, -1).transpose(1, 0, 2)")
            elif kind == "repeat" and period == L:
                texts.append(f"V[{start}:{start + n // L}, None]")
            else:
                key = rows
                if key not in gathered:
                    gathered[key] = self._rows(rows)
                    if operands.count(rows) > 1:  # read by several operands: gather once
                        name = f"_g{len(lines)}"
                        lines.append(f"    {name} = {gathered[key]}")
                        gathered[key] = name
                texts.append(gathered[key] + (f".reshape({n // L}, {L}, -1)" if L else ""))
        return texts, (f"{o}.reshape({n // L}, {L}, -1)" if L else o)

    def _scale(self, values):
        """Text of a multiplier: a float literal when all are equal, else a column of constants."""
        values = np.asarray(values, dtype=float)
        if np.all(values == values[0]):
            return repr(float(values[0]))
        return self._const_array(values)

    def _emit_group(self, lines, kind, nodes):
        a, b = self.row[nodes[0]], self.row[nodes[-1]] + 1
        o = f"V[{a}:{b}]"
        if kind == "lin":
            self._emit_linear(lines, nodes, o)
        elif kind == "func":
            (x,), out = self._operands(lines, [[self._at(e.args[0]) for e in nodes]], o)
            lines.append(f"    {self.kind[nodes[0]][1]}({x}, out={out})")
        elif kind == "pow":
            (x,), out = self._operands(lines, [[self._at(e.args[0]) for e in nodes]], o)
            p = self.kind[nodes[0]][1]
            if p == 0.5:
                lines.append(f"    numpy.sqrt({x}, out={out})")
            elif p == -1.0:
                lines.append(f"    numpy.divide(1.0, {x}, out={out})")
            else:
                lines.append(f"    numpy.power({x}, {p!r}, out={out})")
        elif kind == "mul":
            fs = [self.kind[e][1][1] for e in nodes]
            xs, out = self._operands(lines, [[self._at(f[q]) for f in fs] for q in range(len(fs[0]))], o)
            scale = self._scale([self.kind[e][1][0] for e in nodes])
            if len(xs) == 1 and all(self.row[e] in self.copy_scales for e in nodes):  # scaled by the copy
                for e, (c, (x,)) in ((e, self.kind[e][1]) for e in nodes):
                    self.deferred[self.row[e]], self.remap[self.row[e]] = float(c), self._at(x)
            elif len(xs) == 1:
                lines.append(f"    numpy.multiply({xs[0]}, {_viewed(scale, o, out)}, out={out})")
            else:
                lines.append(f"    numpy.multiply({xs[0]}, {xs[1]}, out={out})")
                for x in xs[2:]:
                    lines.append(f"    numpy.multiply({out}, {x}, out={out})")
                if scale != "1.0" and not self._defer(nodes, [self.kind[e][1][0] for e in nodes]):
                    lines.append(f"    numpy.multiply({o}, {scale}, out={o})")
        elif kind == "add":
            self._emit_sum(lines, nodes, o)
        elif kind == "poly":  # Horner's rule
            (x,), view = self._operands(lines, [[self._at(self.kind[e][1][0]) for e in nodes]], o)
            a = {k: self._scale([self.kind[e][1][2][k] for e in nodes]) for k in self.kind[nodes[0]][1][2]}
            d = max(a)
            top = d - 1
            if a[d] != "1.0":
                lines.append(f"    numpy.multiply({x}, {_viewed(a[d], o, view)}, out={view})")
            elif d - 1 in a:  # monic: x + a_{d-1}, then times x
                lines.append(f"    numpy.add({x}, {_viewed(a.pop(d - 1), o, view)}, out={view})")
            else:
                lines.append(f"    numpy.multiply({x}, {x}, out={view})")
                top = d - 2
            for k in range(top, 0, -1):
                if k in a:
                    lines.append(f"    numpy.add({view}, {_viewed(a[k], o, view)}, out={view})")
                lines.append(f"    numpy.multiply({view}, {x}, out={view})")
            bs = [self.kind[e][1][1] for e in nodes]
            if any(bs):
                lines.append(f"    numpy.add({o}, {self._scale(bs)}, out={o})")
        else:  # one line per node
            for e in nodes:
                lines.append(f"    V[{self.row[e]}] = {self._node_text(kind, e)}")

    def _emit_sum(self, lines, nodes, o):
        rows = np.array([[self._at(t) for _, t in self.kind[e][1][1]] for e in nodes], dtype=np.intp)
        coef = np.array([[c for c, _ in self.kind[e][1][1]] for e in nodes])
        b = [self.kind[e][1][0] for e in nodes]
        n, p = rows.shape
        if np.all(coef == coef[:, :1]):  # one coefficient per sum: add the terms, then scale
            if nodes[0] in self.weighted:  # sum_r x_r y_r: one einsum, no products stored
                fs = [self.kind[e][1][1] for e in self.weighted[nodes[0]]]
                (x, sx), (y, sy) = (self._summand(np.array([self._at(f[q]) for f in fs], dtype=np.intp), n, p)
                                    for q in (0, 1))
                lines.append(f"    numpy.einsum('{sx},{sy}->ik', {x}, {y}, out={o})")
            elif p > 2 and np.array_equal(rows.ravel(), np.arange(rows[0, 0], rows[0, 0] + n * p)):
                lines.append(f"    numpy.add.reduce(V[{rows[0, 0]}:{rows[0, 0] + n * p}].reshape({n}, {p}, -1), "
                             f"axis=1, out={o})")
            elif p == 1 and any(b) and abs(coef[0, 0]) == 1.0 and np.all(coef == coef[0, 0]):  # b +- t: one pass
                (x,), out = self._operands(lines, [rows[:, 0]], o)
                op = "add" if coef[0, 0] == 1.0 else "subtract"
                lines.append(f"    numpy.{op}({_viewed(self._scale(b), o, out)}, {x}, out={out})")
                b = []
            elif p == 1:
                (x,), out = self._operands(lines, [rows[:, 0]], o)
                lines.append(f"    numpy.multiply({x}, {_viewed(self._scale(coef[:, 0]), o, out)}, out={out})")
            else:
                lines.append(f"    numpy.add({self._rows(rows[:, 0])}, {self._rows(rows[:, 1])}, out={o})")
                for q in range(2, p):
                    lines.append(f"    numpy.add({o}, {self._rows(rows[:, q])}, out={o})")
            if p > 1 and np.any(coef[:, 0] != 1.0) and (any(b) or not self._defer(nodes, coef[:, 0])):
                lines.append(f"    numpy.multiply({o}, {self._scale(coef[:, 0])}, out={o})")
        else:
            tmp = f"V[{self.scratch}:{self.scratch + n}]"
            for q in range(p):
                scale = self._scale(coef[:, q])
                if q > 0 and scale == "1.0":
                    lines.append(f"    numpy.add({o}, {self._rows(rows[:, q])}, out={o})")
                    continue
                (x,), view = self._operands(lines, [rows[:, q]], o if q == 0 else tmp)
                lines.append(f"    numpy.multiply({x}, {_viewed(scale, o if q == 0 else tmp, view)}, out={view})")
                if q > 0:
                    lines.append(f"    numpy.add({o}, {tmp}, out={o})")
        if any(b):
            lines.append(f"    numpy.add({o}, {self._scale(b)}, out={o})")

    def _emit_linear(self, lines, nodes, o):
        b = np.array([self.kind[e][1][1] for e in nodes])
        block = self._blocks(nodes)
        layout = self._block_layout(nodes, block) if block is not None else None
        if layout is not None:
            sups, forms, transposed = layout
            supports = np.array(sups, dtype=np.intp)
            nb, s = supports.shape
            per = len(nodes) // nb
            Cb = np.array([[[self.kind[e][1][0].get(j, 0.0) for j in sup] for e in fs] for sup, fs in zip(sups, forms)])
            name = f"_C{len(self.constants)}"
            cols = supports.ravel()
            if np.array_equal(cols, np.arange(cols[0], cols[0] + len(cols))):
                # W read in place: per block, (points, s) @ (s, per) into the rows seen transposed (BLAS takes
                # both strided operands as they are; the parameters need no transposed copy)
                self.constants[name] = np.ascontiguousarray(Cb.transpose(0, 2, 1))
                view = f"{o}.reshape({per}, {nb}, -1).transpose(1, 2, 0)" if transposed else \
                    f"{o}.reshape({nb}, {per}, -1).transpose(0, 2, 1)"
                x = f"W[:, {cols[0]}:{cols[0] + len(cols)}].reshape(-1, {nb}, {s}).transpose(1, 0, 2)"
                lines.append(f"    numpy.matmul({x}, {name}, out={view})")
            else:
                self.constants[name] = Cb
                self.read_all = True
                view = f"{o}.reshape({per}, {nb}, -1).transpose(1, 0, 2)" if transposed else \
                    f"{o}.reshape({nb}, {per}, -1)"
                lines.append(f"    numpy.matmul({name}, {self._rows(cols)}.reshape({nb}, {s}, -1), out={view})")
            if np.any(b):
                lines.append(f"    numpy.add({o}, {self._const_array(b)}, out={o})")
            return
        C = np.zeros((len(nodes), self.m))
        b = np.zeros(len(nodes))
        for r, e in enumerate(nodes):
            coef, b[r] = self.kind[e][1]
            for j, v in coef.items():
                C[r, j] = v
        name = f"_C{len(self.constants)}"
        sparse = np.count_nonzero(C) <= _SPARSE_DENSITY * C.size and C.size > 4096
        self.constants[name] = scipy.sparse.csr_matrix(C) if sparse else C
        self.read_all |= sparse  # a sparse product needs the parameters as contiguous rows
        lines.append(f"    {o} = {name} @ " + (f"V[:{self.m}]" if sparse else "W.T"))
        if np.any(b):
            lines.append(f"    numpy.add({o}, {self._const_array(b)}, out={o})")

    def _node_text(self, kind, e):
        if kind == "whole":
            names = {p: sympy.Symbol(f"V[{j}]") for j, p in enumerate(self.params)}
            return _PRINTER.doprint(e.xreplace(names))
        args = []
        for a in e.args:
            v = self.const.get(a)
            args.append(repr(v) if v is not None else f"V[{self._at(a)}]")
        fast = _fast_node(e, args)
        if fast is None:
            slots = [sympy.Symbol(t) for t in args]
            fast = _PRINTER.doprint(e.func(*slots, evaluate=False))
        return fast

def _moderate(x):
    """Whether x may scale a rewritten expression: in [1e-8, 1e8], the rewritten values then overflow or
    vanish where the written ones do, up to that factor."""
    return 1e-8 <= abs(x) <= 1e8


def _equal_up_to_rounding(a, b):
    """Whether the float sequences a and b agree entry by entry within 4 ulps of b's entries."""
    return len(a) == len(b) and all(abs(x - y) <= 4 * np.spacing(abs(y)) for x, y in zip(a, b))


def _runs(values):
    """[(a, b)] for the runs a, a+1, ..., b-1 of consecutive values in a sorted list."""
    runs = []
    for v in values:
        if runs and runs[-1][1] == v:
            runs[-1][1] = v + 1
        else:
            runs.append([v, v + 1])
    return [tuple(r) for r in runs]


def _viewed(scale, o, out):
    """A multiplier read in the view ``out`` of the rows ``o``: a column of constants is reshaped alike."""
    return scale + out[len(o):].replace("-1)", "1)") if scale[0] == "_" else scale


def _pattern(rows):
    """How rows of V are read: ("one", _, r), ("slice", _, a) for a..a+n-1, ("tile", L, a) for a..a+L-1
    over and over, ("repeat", L, a) for each of a, a+1, ... L times in a row, or ("gather", _, _)."""
    n = len(rows)
    if n == 0 or np.all(rows == rows[0]):
        return ("one", None, int(rows[0]) if n else 0)
    step = np.diff(rows)
    if np.all(step == 1):
        return ("slice", None, int(rows[0]))
    L = int(np.argmax(step != 0)) + 1  # length of the first run of equal rows
    if L > 1 and n % L == 0 and np.array_equal(rows, np.repeat(rows[::L], L)) and np.all(np.diff(rows[::L]) == 1):
        return ("repeat", L, int(rows[0]))
    back = np.flatnonzero(rows == rows[0])
    L = int(back[1]) if len(back) > 1 else 0
    if L > 1 and n % L == 0 and np.all(step[:L - 1] == 1) and np.array_equal(rows, np.tile(rows[:L], n // L)):
        return ("tile", L, int(rows[0]))
    s = int(step[0])
    if s > 1 and n % s == 0:
        T = n // s  # rows a + r*s + i read in the order (i, r): a transposed (T, s) block
        i = np.arange(n)
        if np.array_equal(rows, rows[0] + (i % T) * s + i // T):
            return ("transpose", T, int(rows[0]))
    return ("gather", None, None)


def _fast_node(e, args):
    """Python text for one node over its arguments' texts (rows or float literals), or None to let
    sympy's printer handle it (printing each node with it is slow)."""
    args = [f"({a})" if a[0] == "-" else a for a in args]  # negative literals
    if e.is_Add:
        return " + ".join(args)
    if e.is_Mul:
        return "*".join(args)
    if e.is_Pow:
        return f"numpy.power({args[0]}, {args[1]})"
    name = _FUNCS.get(e.func)
    return f"{name}({args[0]})" if name is not None else None
