"""Placing the outputs of a generated evaluator in ``out`` (see :mod:`plsym._codegen`): blocks of rows copied as
slices where the places allow it, a constant factor of theirs applied on the way, the others scattered."""

from __future__ import annotations

import numpy as np


class _Outputs:
    """The output side of :class:`plsym._codegen._Program` (its rows, constants and readers)."""

    def _output_plan(self, shape, index, symmetric):
        """(blocks (r0, p0, A, B, step) copied as slices, runs of (row, position) pairs on consecutive rows, the
        other pairs, constant positions and values, number of positions) placing the outputs in ``out`` seen
        as (positions, points): see :func:`_blocks_of_outputs`."""
        flat = np.ravel_multi_index(index, shape) if len(self.exprs) else np.zeros(0, dtype=np.intp)
        lists = ({}, {}, [])  # {row: position} of the first and mirrored places, then the further places
        cpos, cvals = [], []
        for e, p, ix in zip(self.exprs, flat, zip(*index)):
            places = [(p, lists[0])]
            if symmetric and ix[-1] != ix[-2]:
                places.append((np.ravel_multi_index(ix[:-2] + (ix[-1], ix[-2]), shape), lists[1]))
            v = self.const.get(e)
            for q, to in places:
                if v is not None:
                    cpos.append(q)
                    cvals.append(v)
                elif self._at(e) in to:  # a row already placed (outputs equal as expressions)
                    lists[2].append((self._at(e), int(q)))
                else:
                    to[self._at(e)] = int(q)
        total = int(np.prod(shape))
        blocks, runs, rest = [], [], []
        for some in (list(lists[0].items()), list(lists[1].items()), lists[2]):
            found, left = _blocks_of_outputs(sorted(some), total)
            blocks += found
            start = 0  # the others by runs of consecutive rows, read as slices of V
            for i in range(1, len(left) + 1):
                if i == len(left) or left[i][0] != left[i - 1][0] + 1:
                    (runs if i - start >= 8 else rest).extend([left[start:i]] if i - start >= 8 else left[start:i])
                    start = i
        return blocks, runs, rest, cpos, cvals, total

    def _scaled_on_copy(self, plan):
        """The rows that are outputs read by nothing else and copied once, by a block: a constant factor of
        theirs can be applied by the copy instead of a pass of its own."""
        blocks, runs, rest = plan[:3]
        rest = rest + [pair for run in runs for pair in run]
        count = {}
        for r0, _, A, B, _ in blocks:
            for r in range(r0, r0 + A * B):
                count[r] = count.get(r, 0) + 1
        for r, _ in rest:
            count[r] = count.get(r, 0) + 2
        readers = self.readers
        return {self.row[e] for e in readers if readers[e] == 1 and e in self.row and count.get(self.row[e]) == 1}

    def _defer(self, nodes, values):
        """Whether the constant factors ``values`` of ``nodes`` are left to the copy into ``out``."""
        if not all(self.row[e] in self.copy_scales for e in nodes):
            return False
        for e, v in zip(nodes, values):
            self.deferred[self.row[e]] = float(v)
        return True

    def _emit_outputs(self, lines, plan):
        """Copy the rows of the outputs (times the factors left to the copy) and their constants into ``out``
        seen as (positions, points): blocks as slices, the others scattered."""
        blocks, runs, rest, cpos, cvals, total = plan
        lines.append("    _out = out.reshape(-1, out.shape[-1])")
        for r0, p0, A, B, step in blocks:
            a, b = divmod(p0, step)
            dest = f"_out[{p0}:{p0 + B}]" if A == 1 else \
                f"_out.reshape({total // step}, {step}, -1)[{a}:{a + A}, {b}:{b + B}]"
            rows = np.array([self.remap.get(r, r) for r in range(r0, r0 + A * B)], dtype=np.intp)
            src, dest, shape = self._copied(rows, A, B, dest)
            scale = [self.deferred.get(r, 1.0) for r in range(r0, r0 + A * B)]
            if all(c == 1.0 for c in scale):
                lines.append(f"    {dest} = {src}")
                continue
            if all(c == scale[0] for c in scale):
                factor = repr(scale[0])
            else:
                factor = self._const_array(scale) + f".reshape({', '.join(map(str, shape))}, 1)"
            lines.append(f"    numpy.multiply({src}, {factor}, out={dest})")
        for run in runs:
            lines.append(f"    _out[{self._index([q for _, q in run])}] = V[{run[0][0]}:{run[-1][0] + 1}]")
        if rest:
            lines.append(f"    _out[{self._index([q for _, q in rest])}] = {self._rows([r for r, _ in rest])}")
        if cpos:
            lines.append(f"    _out[{self._index(cpos)}] = {self._const_array(cvals)}")

    def _copied(self, rows, A, B, dest):
        """(source, destination, shape) of a block of outputs read at ``rows`` of V (A runs of B): a slice, each
        row for R outputs in a row (a broadcast), or a gather."""
        if np.array_equal(rows, np.arange(rows[0], rows[0] + A * B)):
            return (f"V[{rows[0]}:{rows[0] + B}]", dest, (B,)) if A == 1 else \
                (f"V[{rows[0]}:{rows[0] + A * B}].reshape({A}, {B}, -1)", dest, (A, B))
        R = int(np.argmax(np.append(rows, -1) != rows[0]))  # the first run of equal rows
        if B % R == 0 and np.array_equal(rows, np.repeat(np.arange(rows[0], rows[0] + A * B // R), R)):
            self.constants["_split"] = _split
            return (f"V[{rows[0]}:{rows[0] + A * B // R}].reshape({A}, {B // R}, 1, -1)",
                    f"_split({dest}, ({A}, {B // R}, {R}, -1))", (A, B // R, R))
        return (self._rows(rows), dest, (B,)) if A == 1 else (f"{self._rows(rows)}.reshape({A}, {B}, -1)", dest, (A, B))

    def _index(self, values):
        name = f"_i{len(self.constants)}"
        self.constants[name] = np.asarray(values, dtype=np.intp)
        return name


def _split(a, shape):
    """``a`` seen with ``shape``, never a copy (the generated code writes through it)."""
    b = a.reshape(shape)
    if not np.may_share_memory(a, b):
        raise RuntimeError("plsym: an output block could not be viewed without a copy")
    return b


def _blocks_of_outputs(pairs, total, smallest=8, most=24):
    """([(r0, p0, A, B, step)], the other pairs) from (row, position) pairs sorted by row: the rows r0 ..
    r0 + A*B - 1 go, B at a time, to the positions p0 + a*step .. p0 + a*step + B - 1 (a < A), a block of
    the positions seen as (total // step, step); only the ``most`` largest of ``smallest`` rows or more (or
    of all the rows)."""
    found, i, n = [], 0, len(pairs)
    while i < n:
        r0, p0 = pairs[i]
        B = 1
        while i + B < n and pairs[i + B] == (r0 + B, p0 + B):
            B += 1
        A, step = 1, B
        if i + B < n and pairs[i + B][0] == r0 + B and pairs[i + B][1] - p0 >= B:
            step = pairs[i + B][1] - p0
            while i + (A + 1) * B <= n and all(pairs[i + A * B + b] == (r0 + A * B + b, p0 + A * step + b)
                                               for b in range(B)):
                A += 1
        if A == 1:
            step = B
        if A * B >= min(smallest, n) and (A == 1 or (total % step == 0 and p0 % step + B <= step)):
            found.append((i, A * B, (r0, p0, A, B, step)))
            i += A * B
        else:
            i += 1
    found.sort(key=lambda f: -f[1])
    kept = sorted(found[:most])
    taken = np.zeros(n, dtype=bool)
    for start, size, _ in kept:
        taken[start:start + size] = True
    return [block for _, _, block in kept], [pq for pq, t in zip(pairs, taken) if not t]
