;; The Cholesky factorisation and the triangular inversion of src/numerics/cholesky.ts (factorLower and
;; invertLowerTransposed there, the same loops in the same order), in float64 SIMD, in this module's memory.
;;
;; Layout: a matrix of row length s (a multiple of 4) in rows in blocks of four, each block stored by pairs of
;; columns, the pair (k, k + 1) of its four rows as eight consecutive values
;;   a_0[k] a_0[k+1] a_1[k] a_1[k+1] a_2[k] a_2[k+1] a_3[k] a_3[k+1]
;; so that entry (i, j) is element (i >> 2)·4s + (j >> 1)·8 + (i & 3)·2 + (j & 1) ($at gives its byte address).
;;
;; $blockSums: for the four rows a_b of one block from byte address $p on and the two rows x_c whose pair of
;; columns starts at byte address $x (rows 0–1 or 2–3 of a block), over $pairs pairs of columns, the eight sums
;;   out[2b + c] = Σ_k a_b[k] · x_c[k]
;; written to bytes 0–63 of memory. Each step loads one pair of columns of all six rows from two pointers at
;; fixed offsets (six v128 loads) for eight f64x2 multiply-adds; the lanes (even and odd k) are added at the end.
;; Bytes 64–127 keep a block's first eight sums while $corner forms the next eight; the matrices follow.
;;
;; Exports: factor(l, s) factors the matrix at byte address l in place into its lower Cholesky factor L (1), or
;; stops at a pivot that is not positive and finite (0); invert(l, v, s) writes V = L⁻ᵀ at byte address v (whose
;; entries below the diagonal must be zero). Assembled into cholesky-kernel-wasm.ts by
;; scripts/build-cholesky-wasm.mjs.
(module
  (memory (export "memory") 1 65536)

  (func $blockSums (param $p i32) (param $x i32) (param $pairs i32)
    (local $end i32)
    (local $a v128) (local $b0 v128) (local $b1 v128)
    (local $s00 v128) (local $s01 v128) (local $s10 v128) (local $s11 v128)
    (local $s20 v128) (local $s21 v128) (local $s30 v128) (local $s31 v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $pairs) (i32.const 6))))
    (block $done
      (loop $step
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $b0 (v128.load offset=0 (local.get $x)))
        (local.set $b1 (v128.load offset=16 (local.get $x)))
        (local.set $a (v128.load offset=0 (local.get $p)))
        (local.set $s00 (f64x2.add (local.get $s00) (f64x2.mul (local.get $a) (local.get $b0))))
        (local.set $s01 (f64x2.add (local.get $s01) (f64x2.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load offset=16 (local.get $p)))
        (local.set $s10 (f64x2.add (local.get $s10) (f64x2.mul (local.get $a) (local.get $b0))))
        (local.set $s11 (f64x2.add (local.get $s11) (f64x2.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load offset=32 (local.get $p)))
        (local.set $s20 (f64x2.add (local.get $s20) (f64x2.mul (local.get $a) (local.get $b0))))
        (local.set $s21 (f64x2.add (local.get $s21) (f64x2.mul (local.get $a) (local.get $b1))))
        (local.set $a (v128.load offset=48 (local.get $p)))
        (local.set $s30 (f64x2.add (local.get $s30) (f64x2.mul (local.get $a) (local.get $b0))))
        (local.set $s31 (f64x2.add (local.get $s31) (f64x2.mul (local.get $a) (local.get $b1))))
        (local.set $p (i32.add (local.get $p) (i32.const 64)))
        (local.set $x (i32.add (local.get $x) (i32.const 64)))
        (br $step)))
    (f64.store offset=0 (i32.const 0)
      (f64.add (f64x2.extract_lane 0 (local.get $s00)) (f64x2.extract_lane 1 (local.get $s00))))
    (f64.store offset=8 (i32.const 0)
      (f64.add (f64x2.extract_lane 0 (local.get $s01)) (f64x2.extract_lane 1 (local.get $s01))))
    (f64.store offset=16 (i32.const 0)
      (f64.add (f64x2.extract_lane 0 (local.get $s10)) (f64x2.extract_lane 1 (local.get $s10))))
    (f64.store offset=24 (i32.const 0)
      (f64.add (f64x2.extract_lane 0 (local.get $s11)) (f64x2.extract_lane 1 (local.get $s11))))
    (f64.store offset=32 (i32.const 0)
      (f64.add (f64x2.extract_lane 0 (local.get $s20)) (f64x2.extract_lane 1 (local.get $s20))))
    (f64.store offset=40 (i32.const 0)
      (f64.add (f64x2.extract_lane 0 (local.get $s21)) (f64x2.extract_lane 1 (local.get $s21))))
    (f64.store offset=48 (i32.const 0)
      (f64.add (f64x2.extract_lane 0 (local.get $s30)) (f64x2.extract_lane 1 (local.get $s30))))
    (f64.store offset=56 (i32.const 0)
      (f64.add (f64x2.extract_lane 0 (local.get $s31)) (f64x2.extract_lane 1 (local.get $s31)))))

  ;; the byte address of entry (i, j) of the matrix at byte address $base with row length $s
  (func $at (param $base i32) (param $s i32) (param $i i32) (param $j i32) (result i32)
    (i32.add (local.get $base)
      (i32.shl
        (i32.add
          (i32.add (i32.mul (i32.shr_u (local.get $i) (i32.const 2)) (i32.shl (local.get $s) (i32.const 2)))
                   (i32.shl (i32.shr_u (local.get $j) (i32.const 1)) (i32.const 3)))
          (i32.add (i32.shl (i32.and (local.get $i) (i32.const 3)) (i32.const 1))
                   (i32.and (local.get $j) (i32.const 1))))
        (i32.const 3))))

  ;; columns j0, j0 + 1 (j0 even, j0 + 1 < i0) of rows i0, …, i0 + 3 from their sums over k < j0
  (func $pair (param $l i32) (param $s i32) (param $i0 i32) (param $j0 i32)
    (local $pivot i32) (local $r i32) (local $b i32) (local $x f64)
    (call $blockSums (call $at (local.get $l) (local.get $s) (local.get $i0) (i32.const 0))
                     (call $at (local.get $l) (local.get $s) (local.get $j0) (i32.const 0))
                     (i32.shr_u (local.get $j0) (i32.const 1)))
    ;; (j0, j0), then (j0 + 1, j0) and (j0 + 1, j0 + 1) 16 and 24 bytes on
    (local.set $pivot (call $at (local.get $l) (local.get $s) (local.get $j0) (local.get $j0)))
    (loop $rows
      ;; (i0 + b, j0), then (i0 + b, j0 + 1) 8 bytes on
      (local.set $r (call $at (local.get $l) (local.get $s) (i32.add (local.get $i0) (local.get $b)) (local.get $j0)))
      (local.set $x
        (f64.div (f64.sub (f64.load (local.get $r)) (f64.load (i32.shl (local.get $b) (i32.const 4))))
                 (f64.load (local.get $pivot))))
      (f64.store (local.get $r) (local.get $x))
      (f64.store offset=8 (local.get $r)
        (f64.div
          (f64.sub
            (f64.sub (f64.load offset=8 (local.get $r)) (f64.load offset=8 (i32.shl (local.get $b) (i32.const 4))))
            (f64.mul (local.get $x) (f64.load offset=16 (local.get $pivot))))
          (f64.load offset=24 (local.get $pivot))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $rows (i32.lt_u (local.get $b) (i32.const 4)))))

  ;; the 4×4 corner of rows i0, …, i0 + 3, its columns left of it done: 0 at a pivot not positive and finite
  (func $corner (param $l i32) (param $s i32) (param $i0 i32) (result i32)
    (local $rows i32) (local $b i32) (local $c i32) (local $i i32) (local $j i32) (local $k i32) (local $x f64)
    (local.set $rows (call $at (local.get $l) (local.get $s) (local.get $i0) (i32.const 0)))
    (call $blockSums (local.get $rows) (local.get $rows) (i32.shr_u (local.get $i0) (i32.const 1)))
    (v128.store offset=64 (i32.const 0) (v128.load offset=0 (i32.const 0)))
    (v128.store offset=80 (i32.const 0) (v128.load offset=16 (i32.const 0)))
    (v128.store offset=96 (i32.const 0) (v128.load offset=32 (i32.const 0)))
    (v128.store offset=112 (i32.const 0) (v128.load offset=48 (i32.const 0)))
    (call $blockSums (local.get $rows) (i32.add (local.get $rows) (i32.const 32))
                     (i32.shr_u (local.get $i0) (i32.const 1)))
    (loop $rowLoop
      (local.set $i (i32.add (local.get $i0) (local.get $b)))
      (local.set $c (i32.const 0))
      (loop $columnLoop
        (local.set $j (i32.add (local.get $i0) (local.get $c)))
        ;; the sum over k < i0: columns i0, i0 + 1 kept at byte 64 on, i0 + 2, i0 + 3 at byte 0 on
        (local.set $x
          (f64.sub (f64.load (call $at (local.get $l) (local.get $s) (local.get $i) (local.get $j)))
            (if (result f64) (i32.lt_u (local.get $c) (i32.const 2))
              (then (f64.load offset=64
                (i32.shl (i32.add (i32.shl (local.get $b) (i32.const 1)) (local.get $c)) (i32.const 3))))
              (else (f64.load
                (i32.shl (i32.sub (i32.add (i32.shl (local.get $b) (i32.const 1)) (local.get $c)) (i32.const 2))
                         (i32.const 3)))))))
        (local.set $k (local.get $i0))
        (block $inside
          (loop $terms
            (br_if $inside (i32.ge_u (local.get $k) (local.get $j)))
            (local.set $x
              (f64.sub (local.get $x)
                (f64.mul (f64.load (call $at (local.get $l) (local.get $s) (local.get $i) (local.get $k)))
                         (f64.load (call $at (local.get $l) (local.get $s) (local.get $j) (local.get $k))))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $terms)))
        (if (i32.lt_u (local.get $c) (local.get $b))
          (then
            (f64.store (call $at (local.get $l) (local.get $s) (local.get $i) (local.get $j))
              (f64.div (local.get $x) (f64.load (call $at (local.get $l) (local.get $s) (local.get $j) (local.get $j))))))
          (else
            (if (i32.eqz (i32.and (f64.gt (local.get $x) (f64.const 0)) (f64.lt (local.get $x) (f64.const inf))))
              (then (return (i32.const 0))))
            (f64.store (call $at (local.get $l) (local.get $s) (local.get $i) (local.get $i)) (f64.sqrt (local.get $x)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br_if $columnLoop (i32.le_u (local.get $c) (local.get $b))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $rowLoop (i32.lt_u (local.get $b) (i32.const 4))))
    (i32.const 1))

  ;; Cholesky–Banachiewicz in panels of 32 rows, as factorLower in cholesky.ts
  (func (export "factor") (param $l i32) (param $s i32) (result i32)
    (local $p0 i32) (local $end i32) (local $i0 i32) (local $j0 i32)
    (block $done
      (loop $panels
        (br_if $done (i32.ge_u (local.get $p0) (local.get $s)))
        (local.set $end (i32.add (local.get $p0) (i32.const 32)))
        (if (i32.gt_u (local.get $end) (local.get $s)) (then (local.set $end (local.get $s))))
        (local.set $j0 (i32.const 0))
        (block $earlierDone
          (loop $earlier
            (br_if $earlierDone (i32.ge_u (local.get $j0) (local.get $p0)))
            (local.set $i0 (local.get $p0))
            (loop $blocks
              (call $pair (local.get $l) (local.get $s) (local.get $i0) (local.get $j0))
              (local.set $i0 (i32.add (local.get $i0) (i32.const 4)))
              (br_if $blocks (i32.lt_u (local.get $i0) (local.get $end))))
            (local.set $j0 (i32.add (local.get $j0) (i32.const 2)))
            (br $earlier)))
        (local.set $i0 (local.get $p0))
        (loop $own
          (local.set $j0 (local.get $p0))
          (block $pairsDone
            (loop $pairs
              (br_if $pairsDone (i32.ge_u (local.get $j0) (local.get $i0)))
              (call $pair (local.get $l) (local.get $s) (local.get $i0) (local.get $j0))
              (local.set $j0 (i32.add (local.get $j0) (i32.const 2)))
              (br $pairs)))
          (if (i32.eqz (call $corner (local.get $l) (local.get $s) (local.get $i0))) (then (return (i32.const 0))))
          (local.set $i0 (i32.add (local.get $i0) (i32.const 4)))
          (br_if $own (i32.lt_u (local.get $i0) (local.get $end))))
        (local.set $p0 (local.get $end))
        (br $panels)))
    (i32.const 1))

  ;; W_ij for rows i0, …, i0 + 3 and columns j0, j0 + 1 (j0 even, j0 + 1 < i0), rows above i0 done: the block
  ;; sums over k < i0, then the terms k = i0, …, i − 1 from the rows of W just formed, at fixed offsets from
  ;; L(i0, i0) and V(j0, i0) (the layout puts a block's pairs of columns i0, i0 + 1 and i0 + 2, i0 + 3 64 bytes apart)
  (func $invertPair (param $l i32) (param $v i32) (param $s i32) (param $i0 i32) (param $j0 i32)
    (local $lb i32) (local $vb i32)
    (call $blockSums (call $at (local.get $l) (local.get $s) (local.get $i0) (local.get $j0))
                     (call $at (local.get $v) (local.get $s) (local.get $j0) (local.get $j0))
                     (i32.shr_u (i32.sub (local.get $i0) (local.get $j0)) (i32.const 1)))
    (local.set $lb (call $at (local.get $l) (local.get $s) (local.get $i0) (local.get $i0)))
    (local.set $vb (call $at (local.get $v) (local.get $s) (local.get $j0) (local.get $i0)))
    ;; W(i0 + 0, j0 + 0)
    (f64.store offset=0 (local.get $vb)
      (f64.div (f64.neg (f64.load offset=0 (i32.const 0)))
        (f64.load offset=0 (local.get $lb))))
    ;; W(i0 + 0, j0 + 1)
    (f64.store offset=16 (local.get $vb)
      (f64.div (f64.neg (f64.load offset=8 (i32.const 0)))
        (f64.load offset=0 (local.get $lb))))
    ;; W(i0 + 1, j0 + 0)
    (f64.store offset=8 (local.get $vb)
      (f64.div (f64.neg (f64.add (f64.load offset=16 (i32.const 0))
        (f64.mul (f64.load offset=16 (local.get $lb)) (f64.load offset=0 (local.get $vb)))))
        (f64.load offset=24 (local.get $lb))))
    ;; W(i0 + 1, j0 + 1)
    (f64.store offset=24 (local.get $vb)
      (f64.div (f64.neg (f64.add (f64.load offset=24 (i32.const 0))
        (f64.mul (f64.load offset=16 (local.get $lb)) (f64.load offset=16 (local.get $vb)))))
        (f64.load offset=24 (local.get $lb))))
    ;; W(i0 + 2, j0 + 0)
    (f64.store offset=64 (local.get $vb)
      (f64.div (f64.neg (f64.add (f64.add (f64.load offset=32 (i32.const 0))
        (f64.mul (f64.load offset=32 (local.get $lb)) (f64.load offset=0 (local.get $vb))))
        (f64.mul (f64.load offset=40 (local.get $lb)) (f64.load offset=8 (local.get $vb)))))
        (f64.load offset=96 (local.get $lb))))
    ;; W(i0 + 2, j0 + 1)
    (f64.store offset=80 (local.get $vb)
      (f64.div (f64.neg (f64.add (f64.add (f64.load offset=40 (i32.const 0))
        (f64.mul (f64.load offset=32 (local.get $lb)) (f64.load offset=16 (local.get $vb))))
        (f64.mul (f64.load offset=40 (local.get $lb)) (f64.load offset=24 (local.get $vb)))))
        (f64.load offset=96 (local.get $lb))))
    ;; W(i0 + 3, j0 + 0)
    (f64.store offset=72 (local.get $vb)
      (f64.div (f64.neg (f64.add (f64.add (f64.add (f64.load offset=48 (i32.const 0))
        (f64.mul (f64.load offset=48 (local.get $lb)) (f64.load offset=0 (local.get $vb))))
        (f64.mul (f64.load offset=56 (local.get $lb)) (f64.load offset=8 (local.get $vb))))
        (f64.mul (f64.load offset=112 (local.get $lb)) (f64.load offset=64 (local.get $vb)))))
        (f64.load offset=120 (local.get $lb))))
    ;; W(i0 + 3, j0 + 1)
    (f64.store offset=88 (local.get $vb)
      (f64.div (f64.neg (f64.add (f64.add (f64.add (f64.load offset=56 (i32.const 0))
        (f64.mul (f64.load offset=48 (local.get $lb)) (f64.load offset=16 (local.get $vb))))
        (f64.mul (f64.load offset=56 (local.get $lb)) (f64.load offset=24 (local.get $vb))))
        (f64.mul (f64.load offset=112 (local.get $lb)) (f64.load offset=80 (local.get $vb)))))
        (f64.load offset=120 (local.get $lb)))))

  ;; W inside the 4×4 corner of rows i0, …, i0 + 3
  (func $invertCorner (param $l i32) (param $v i32) (param $s i32) (param $i0 i32)
    (local $i i32) (local $j i32) (local $k i32) (local $x f64)
    (local.set $j (local.get $i0))
    (loop $columnLoop
      (f64.store (call $at (local.get $v) (local.get $s) (local.get $j) (local.get $j))
        (f64.div (f64.const 1) (f64.load (call $at (local.get $l) (local.get $s) (local.get $j) (local.get $j)))))
      (local.set $i (i32.add (local.get $j) (i32.const 1)))
      (block $rowsDone
        (loop $rowLoop
          (br_if $rowsDone (i32.ge_u (local.get $i) (i32.add (local.get $i0) (i32.const 4))))
          (local.set $x (f64.const 0))
          (local.set $k (local.get $j))
          (block $inside
            (loop $terms
              (br_if $inside (i32.ge_u (local.get $k) (local.get $i)))
              (local.set $x
                (f64.add (local.get $x)
                  (f64.mul (f64.load (call $at (local.get $l) (local.get $s) (local.get $i) (local.get $k)))
                           (f64.load (call $at (local.get $v) (local.get $s) (local.get $j) (local.get $k))))))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br $terms)))
          (f64.store (call $at (local.get $v) (local.get $s) (local.get $j) (local.get $i))
            (f64.div (f64.neg (local.get $x))
                     (f64.load (call $at (local.get $l) (local.get $s) (local.get $i) (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $rowLoop)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $columnLoop (i32.lt_u (local.get $j) (i32.add (local.get $i0) (i32.const 4))))))

  ;; V = L⁻ᵀ in panels of 32 rows, as invertLowerTransposed in cholesky.ts
  (func (export "invert") (param $l i32) (param $v i32) (param $s i32)
    (local $p0 i32) (local $end i32) (local $i0 i32) (local $j0 i32)
    (block $done
      (loop $panels
        (br_if $done (i32.ge_u (local.get $p0) (local.get $s)))
        (local.set $end (i32.add (local.get $p0) (i32.const 32)))
        (if (i32.gt_u (local.get $end) (local.get $s)) (then (local.set $end (local.get $s))))
        (local.set $j0 (i32.const 0))
        (block $earlierDone
          (loop $earlier
            (br_if $earlierDone (i32.ge_u (local.get $j0) (local.get $p0)))
            (local.set $i0 (local.get $p0))
            (loop $blocks
              (call $invertPair (local.get $l) (local.get $v) (local.get $s) (local.get $i0) (local.get $j0))
              (local.set $i0 (i32.add (local.get $i0) (i32.const 4)))
              (br_if $blocks (i32.lt_u (local.get $i0) (local.get $end))))
            (local.set $j0 (i32.add (local.get $j0) (i32.const 2)))
            (br $earlier)))
        (local.set $i0 (local.get $p0))
        (loop $own
          (local.set $j0 (local.get $p0))
          (block $pairsDone
            (loop $pairs
              (br_if $pairsDone (i32.ge_u (local.get $j0) (local.get $i0)))
              (call $invertPair (local.get $l) (local.get $v) (local.get $s) (local.get $i0) (local.get $j0))
              (local.set $j0 (i32.add (local.get $j0) (i32.const 2)))
              (br $pairs)))
          (call $invertCorner (local.get $l) (local.get $v) (local.get $s) (local.get $i0))
          (local.set $i0 (i32.add (local.get $i0) (i32.const 4)))
          (br_if $own (i32.lt_u (local.get $i0) (local.get $end))))
        (local.set $p0 (local.get $end))
        (br $panels))))
)
