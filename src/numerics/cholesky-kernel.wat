;; The Cholesky factorisation's and the triangular inversion's inner kernel (src/numerics/cholesky.ts, blockSums
;; there), in float64 SIMD, on matrices in the work space's layout: rows in blocks of four, each block stored by
;; pairs of columns, the pair (k, k + 1) of its four rows as eight consecutive values
;;   a_0[k] a_0[k+1] a_1[k] a_1[k+1] a_2[k] a_2[k+1] a_3[k] a_3[k+1].
;; For the four rows a_b of one block, from its pair at element index $a on, and the two rows x_c whose pair of
;; columns starts at element index $x (rows 0–1 or 2–3 of a block of the same or another matrix), over $pairs
;; pairs of columns, the eight sums
;;   out[2b + c] = Σ_k a_b[k] · x_c[k]
;; are written to the first 64 bytes of memory. Each step loads one pair of columns of all six rows from two
;; pointers at fixed offsets (six v128 loads) for eight f64x2 multiply-adds; the lanes (even and odd k) are added
;; at the end. All in this module's memory; indices are in f64 units.
;; Assembled into cholesky-kernel-wasm.ts by scripts/build-cholesky-wasm.mjs.
(module
  (memory (export "memory") 1 65536)
  (func (export "blockSums") (param $p i32) (param $x i32) (param $pairs i32)
    (local $end i32)
    (local $a v128) (local $b0 v128) (local $b1 v128)
    (local $s00 v128) (local $s01 v128) (local $s10 v128) (local $s11 v128)
    (local $s20 v128) (local $s21 v128) (local $s30 v128) (local $s31 v128)
    ;; byte addresses; a pair of columns of a block is 64 bytes
    (local.set $p (i32.shl (local.get $p) (i32.const 3)))
    (local.set $x (i32.shl (local.get $x) (i32.const 3)))
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
      (f64.add (f64x2.extract_lane 0 (local.get $s31)) (f64x2.extract_lane 1 (local.get $s31))))))
