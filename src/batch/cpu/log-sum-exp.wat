;; Row log-sum-exp statistics for luce's CPU paths (WebAssembly SIMD): float32 rows (f32x4), below, and
;; float64 rows (f64x2, rowStatistics64, at the end of the module).
;;
;; For each row x[0 .. n) of float32 logits (any n; a last partial block is padded with -inf) it writes three
;; float64 values: the maximum M, the rest s = Σ_{x_i ≠ M} exp(x_i − M), and the number of ties
;; x_i = M, so that log Σ exp(x_i) = M + log(ties + s) is formed in float64 by the caller. Keeping
;; the maximum's own terms out of s keeps its digits when s is tiny (peaked rows, argmax labels).
;; A non-finite M reports a bad row: NaN (a NaN logit, or +inf beside -inf), +inf, or -inf (every
;; logit -inf); the caller finds the position.
;;
;; Blocks of 128 logits, each read once in the common case: its terms exp(x − M) against the
;; running maximum M, summed in float32 within the block and in float64 across blocks, with the
;; block's maximum found on the side. A block that holds M, or raises it, is summed again with a
;; tie mask after rescaling the sum so far by exp(M_old − M_new) (float64, the imported Math.exp);
;; on model-like rows that is a few blocks in a row. Until the first finite logit, blocks are only
;; scanned. A NaN logit makes the sum NaN (exp keeps it), reported after the row.
;;
;; exp(d), d = x − M: k = round(d·log2 e) by the 1.5·2^23 trick, r = d − k·ln 2 in two parts
;; (Cody–Waite: k·ln2_hi is exact, so r carries no rounding of the product d·log2 e and no bias
;; from log2 e's float32 rounding), e^r by a degree-5 polynomial on [−ln2/2, ln2/2] fitted for the
;; least maximum relative error under a zero mean (so the rounding of a sum of many terms does not
;; drift: 2.5e-7 at most, mean 6e-11, after float32 rounding; made by scripts/exp-polynomial.py),
;; and 2^k added to the exponent bits. Terms with x < M − 86.6 (−inf and the padding included),
;; whose true values lie below float32's normal range, are masked to exactly 0 (the exponent trick
;; would wrap there); NaN is not masked, so it reaches the sum. The mask costs two operations a
;; vector, so blocks are first summed without it, their minimum found on the side; a block whose
;; minimum shows a term to mask is summed again with it, and so are the row's later blocks (a
;; masked vocabulary spreads its −inf over the row). What remains is float32's rounding of x − M
;; itself, at most 2^-24·|x − M| relative.
;;
;; The multiply-adds are written f32x4.relaxed_madd (a·b + c) and f32x4.relaxed_nmadd (c − a·b).
;; scripts/build-wasm.mjs makes two modules of this file: "fused", as written, where they are
;; single fused multiply-adds on a CPU with FMA (relaxed SIMD; src/batch/cpu/worker-pool.ts picks
;; the build), about 30% faster; and "portable", each lowered to a multiply and an add, rounding
;; twice. k·ln2_hi is exact either way; fused, the other steps round once. exp is spelled once for
;; each width (`;; define exp32`, `exp64`) and written out where `;; expand` asks; loops that take
;; several vectors a step are written once between `;; unroll N` and `;; end unroll` (the build
;; script expands both).
(module
  (import "env" "memory" (memory 1 65536))
  (import "math" "exp" (func $exp (param f64) (result f64)))

  ;; exp(%d) of four float32 lanes into %e, as the header says: %kb holds round(%d·log2 e) in its low
  ;; bits (the 1.5·2^23 trick), %r the reduced argument; the callers mask what needs masking.
  ;; define exp32 %d %kb %r %e
    (local.set %kb (f32x4.relaxed_madd (local.get %d) (v128.const f32x4 1.44269502 1.44269502 1.44269502 1.44269502) (v128.const f32x4 12582912 12582912 12582912 12582912)))
    (local.set %r (f32x4.sub (local.get %kb) (v128.const f32x4 12582912 12582912 12582912 12582912)))
    (local.set %r (f32x4.relaxed_nmadd (local.get %r) (v128.const f32x4 1.42860677e-6 1.42860677e-6 1.42860677e-6 1.42860677e-6) (f32x4.relaxed_nmadd (local.get %r) (v128.const f32x4 6.93145752e-1 6.93145752e-1 6.93145752e-1 6.93145752e-1) (local.get %d))))
    (local.set %e (f32x4.relaxed_madd (local.get %r) (v128.const f32x4 8.158566430e-3 8.158566430e-3 8.158566430e-3 8.158566430e-3) (v128.const f32x4 4.189077020e-2 4.189077020e-2 4.189077020e-2 4.189077020e-2)))
    (local.set %e (f32x4.relaxed_madd (local.get %r) (local.get %e) (v128.const f32x4 1.667030156e-1 1.667030156e-1 1.667030156e-1 1.667030156e-1)))
    (local.set %e (f32x4.relaxed_madd (local.get %r) (local.get %e) (v128.const f32x4 4.999922514e-1 4.999922514e-1 4.999922514e-1 4.999922514e-1)))
    (local.set %e (f32x4.relaxed_madd (local.get %r) (local.get %e) (v128.const f32x4 9.999983907e-1 9.999983907e-1 9.999983907e-1 9.999983907e-1)))
    (local.set %e (f32x4.relaxed_madd (local.get %r) (local.get %e) (v128.const f32x4 1 1 1 1)))
    (local.set %e (i32x4.add (local.get %e) (i32x4.shl (local.get %kb) (i32.const 23))))
  ;; end define
  ;; exp(%d) of two float64 lanes into %e (see rowStatistics64): %kb holds round(%d·log2 e) in its
  ;; low bits (the 1.5·2^52 trick), %r the reduced argument.
  ;; define exp64 %d %kb %r %e
    (local.set %kb (f64x2.relaxed_madd (local.get %d) (v128.const f64x2 0x1.71547652b82fep+0 0x1.71547652b82fep+0) (v128.const f64x2 0x1.8p+52 0x1.8p+52)))
    (local.set %r (f64x2.sub (local.get %kb) (v128.const f64x2 0x1.8p+52 0x1.8p+52)))
    (local.set %r (f64x2.relaxed_nmadd (local.get %r) (v128.const f64x2 0x1.a39ef35793c76p-33 0x1.a39ef35793c76p-33) (f64x2.relaxed_nmadd (local.get %r) (v128.const f64x2 0x1.62e42fee00000p-1 0x1.62e42fee00000p-1) (local.get %d))))
    (local.set %e (v128.const f64x2 0x1.6124613a86d09p-33 0x1.6124613a86d09p-33))
    (local.set %e (f64x2.relaxed_madd (local.get %r) (local.get %e) (v128.const f64x2 0x1.1eed8eff8d898p-29 0x1.1eed8eff8d898p-29)))
    (local.set %e (f64x2.relaxed_madd (local.get %r) (local.get %e) (v128.const f64x2 0x1.ae64567f544e4p-26 0x1.ae64567f544e4p-26)))
    (local.set %e (f64x2.relaxed_madd (local.get %r) (local.get %e) (v128.const f64x2 0x1.27e4fb7789f5cp-22 0x1.27e4fb7789f5cp-22)))
    (local.set %e (f64x2.relaxed_madd (local.get %r) (local.get %e) (v128.const f64x2 0x1.71de3a556c734p-19 0x1.71de3a556c734p-19)))
    (local.set %e (f64x2.relaxed_madd (local.get %r) (local.get %e) (v128.const f64x2 0x1.a01a01a01a01ap-16 0x1.a01a01a01a01ap-16)))
    (local.set %e (f64x2.relaxed_madd (local.get %r) (local.get %e) (v128.const f64x2 0x1.a01a01a01a01ap-13 0x1.a01a01a01a01ap-13)))
    (local.set %e (f64x2.relaxed_madd (local.get %r) (local.get %e) (v128.const f64x2 0x1.6c16c16c16c17p-10 0x1.6c16c16c16c17p-10)))
    (local.set %e (f64x2.relaxed_madd (local.get %r) (local.get %e) (v128.const f64x2 0x1.1111111111111p-7 0x1.1111111111111p-7)))
    (local.set %e (f64x2.relaxed_madd (local.get %r) (local.get %e) (v128.const f64x2 0x1.5555555555555p-5 0x1.5555555555555p-5)))
    (local.set %e (f64x2.relaxed_madd (local.get %r) (local.get %e) (v128.const f64x2 0x1.5555555555555p-3 0x1.5555555555555p-3)))
    (local.set %e (f64x2.relaxed_madd (local.get %r) (local.get %e) (v128.const f64x2 0x1.0p-1 0x1.0p-1)))
    (local.set %e (f64x2.relaxed_madd (local.get %r) (local.get %e) (v128.const f64x2 1 1)))
    (local.set %e (f64x2.relaxed_madd (local.get %r) (local.get %e) (v128.const f64x2 1 1)))
    (local.set %e (i64x2.add (local.get %e) (i64x2.shl (local.get %kb) (i32.const 52))))
  ;; end define
  ;; The moments' terms of four float32 lanes (see the twins below), %e = exp(%d) as summed into s: exp(%d)·%d into
  ;; $weighted and exp(%d)² into $squares, the square 0 where %d < −43.3. maskedMoments32 is for the loops that mask
  ;; terms to 0, where %d may be −∞ (clamped, so that no 0·∞ arises).
  ;; define moments32 %e %d
    (local.set $weighted (f32x4.add (local.get $weighted) (f32x4.mul (local.get %e) (local.get %d))))
    (local.set $squares (f32x4.add (local.get $squares) (f32x4.mul (local.get %e) (v128.and (local.get %e) (f32x4.ge (local.get %d) (v128.const f32x4 -43.3 -43.3 -43.3 -43.3))))))
  ;; end define
  ;; define maskedMoments32 %e %d
    (local.set $weighted (f32x4.add (local.get $weighted) (f32x4.mul (local.get %e) (f32x4.pmax (local.get %d) (v128.const f32x4 -86.6 -86.6 -86.6 -86.6)))))
    (local.set $squares (f32x4.add (local.get $squares) (f32x4.mul (local.get %e) (v128.and (local.get %e) (f32x4.ge (local.get %d) (v128.const f32x4 -43.3 -43.3 -43.3 -43.3))))))
  ;; end define

  ;; The moments of a row beyond its log-sum-exp, for TRL's metrics and WPO's weights, come from the same read of each
  ;; block, in the twins of the functions below (`;; twin Moments`: rowStatisticsAtMoments): against the row's maximum
  ;; M, the rest of the squares s₂ = Σ_{x≠M} exp(2(x − M)) (so Σ exp(2(x − M)) = ties + s₂ keeps a peaked row's digits
  ;; as s does), the weighted sum w = Σ exp(x − M)·(x − M), the first index of M and Σ x. Within a block s₂ and w are
  ;; summed in float32 beside s, across blocks in float64, and rescaled with s when M grows: by f = exp(M_old − M_new),
  ;; s₂ by f² and w to f·(w + (M_old − M_new)·(s + ties)). Terms with x < M − 43.3, whose square lies below float32's
  ;; normal range (a subnormal product can take a slow path in the CPU), add 0 to s₂: beside the ties' own 1 they are
  ;; below 2^-100. Σ x is summed in float64 from each block as it lies (still in cache), the short last block included
  ;; without its padding; the first index of M is searched in the block that last raised M.

  ;; Σ over one block [q, end) of exp(x − M), 128 logits, terms below M − 86.6 masked to 0: with
  ;; $withTies, only x ≠ M, and $ties gains the count of x = M (exactly the elements the mask leaves
  ;; out: NaN was excluded before); without, the block's maximum (NaN ignored) is left in $blockMax.
  ;; Without ties it takes four vectors per step (independent chains keep the floating-point units
  ;; busy), adding them to one accumulator in order, as the tie loop does one by one. The twin leaves
  ;; the block's s₂ and w (over the same terms) in $blockSquares and $blockWeighted.
  (global $ties (mut i32) (i32.const 0))
  (global $blockMax (mut f32) (f32.const 0))
  (global $blockMin (mut f32) (f32.const 0))
  (global $blockSquares (mut f32) (f32.const 0))
  (global $blockWeighted (mut f32) (f32.const 0))

  ;; twin Moments
  (func $blockSum (param $q i32) (param $end i32) (param $m v128) (param $withTies i32) (result f32)
    (local $low v128)
    (local $acc v128) (local $ne v128) (local $x v128) (local $d v128) (local $kb v128) (local $r v128) (local $e v128)
    (local $count v128) (local $length i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $bmax v128)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128) (local $kb0 v128) (local $kb1 v128) (local $kb2 v128) (local $kb3 v128) (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $e0 v128) (local $e1 v128) (local $e2 v128) (local $e3 v128)
    ;;m (local $squares v128) (local $weighted v128)
    (local.set $length (i32.shr_u (i32.sub (local.get $end) (local.get $q)) (i32.const 2)))
    (local.set $low (f32x4.sub (local.get $m) (v128.const f32x4 86.6 86.6 86.6 86.6)))
    (if (local.get $withTies)
      (then
        (loop $vectors
          (local.set $x (v128.load (local.get $q)))
          (local.set $d (f32x4.sub (local.get $x) (local.get $m)))
          ;; expand exp32 $d $kb $r $e
          (local.set $ne (f32x4.ne (local.get $x) (local.get $m)))
          (local.set $e (v128.andnot (v128.and (local.get $e) (local.get $ne)) (f32x4.lt (local.get $x) (local.get $low))))
          (local.set $acc (f32x4.add (local.get $acc) (local.get $e)))
          ;;m ;; expand maskedMoments32 $e $d
          (local.set $count (i32x4.sub (local.get $count) (local.get $ne)))
          (local.set $q (i32.add (local.get $q) (i32.const 16)))
          (br_if $vectors (i32.lt_u (local.get $q) (local.get $end))))
        (global.set $ties (i32.add (global.get $ties)
          (i32.sub (local.get $length)
            (i32.add (i32.add (i32x4.extract_lane 0 (local.get $count)) (i32x4.extract_lane 1 (local.get $count)))
                     (i32.add (i32x4.extract_lane 2 (local.get $count)) (i32x4.extract_lane 3 (local.get $count))))))))
      (else
        (local.set $bmax (v128.const f32x4 -inf -inf -inf -inf))
        (loop $vectors4
          ;; unroll 4
          (local.set $x# (v128.load offset=@ (local.get $q)))
          (local.set $bmax (f32x4.pmax (local.get $bmax) (local.get $x#)))
          (local.set $d# (f32x4.sub (local.get $x#) (local.get $m)))
          ;; expand exp32 $d# $kb# $r# $e#
          (local.set $e# (v128.andnot (local.get $e#) (f32x4.lt (local.get $x#) (local.get $low))))
          (local.set $acc (f32x4.add (local.get $acc) (local.get $e#)))
          ;;m ;; expand maskedMoments32 $e# $d#
          ;; end unroll
          (local.set $q (i32.add (local.get $q) (i32.const 64)))
          (br_if $vectors4 (i32.lt_u (local.get $q) (local.get $end))))
        ;; the lanes' maximum by two shuffles (NaN is the plain sum's concern, not this one's)
        (local.set $bmax (f32x4.pmax (local.get $bmax) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $bmax) (local.get $bmax))))
        (local.set $bmax (f32x4.pmax (local.get $bmax) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $bmax) (local.get $bmax))))
        (global.set $blockMax (f32x4.extract_lane 0 (local.get $bmax)))))
    ;;m (global.set $blockSquares (call $lanesSum (local.get $squares)))
    ;;m (global.set $blockWeighted (call $lanesSum (local.get $weighted)))
    (f32.add (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
             (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))

  ;; The fast pass over one block [q, end): Σ exp(x − M) with no mask, the block's maximum and
  ;; minimum left in $blockMax and $blockMin (NaN ignored). The sum holds, with the bits of
  ;; $blockSum's, when the minimum is at least M − 86.6; else some term wrapped (−inf among them)
  ;; and the caller sums the block again with the mask. Leaving the mask out spares two operations
  ;; of about seventeen a vector. The twin leaves s₂ and w as $blockSum's does.
  (func $fastSum (param $q i32) (param $end i32) (param $m v128) (result f32)
    (local $acc v128) (local $bmax v128) (local $bmin v128)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128) (local $kb0 v128) (local $kb1 v128) (local $kb2 v128) (local $kb3 v128) (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $e0 v128) (local $e1 v128) (local $e2 v128) (local $e3 v128)
    ;;m (local $squares v128) (local $weighted v128)
    (local.set $bmax (v128.const f32x4 -inf -inf -inf -inf))
    (local.set $bmin (v128.const f32x4 inf inf inf inf))
    (loop $vectors4
      ;; unroll 4
      (local.set $x# (v128.load offset=@ (local.get $q)))
      (local.set $bmax (f32x4.pmax (local.get $bmax) (local.get $x#)))
      (local.set $bmin (f32x4.pmin (local.get $bmin) (local.get $x#)))
      (local.set $d# (f32x4.sub (local.get $x#) (local.get $m)))
      ;; expand exp32 $d# $kb# $r# $e#
      (local.set $acc (f32x4.add (local.get $acc) (local.get $e#)))
      ;;m ;; expand moments32 $e# $d#
      ;; end unroll
      (local.set $q (i32.add (local.get $q) (i32.const 64)))
      (br_if $vectors4 (i32.lt_u (local.get $q) (local.get $end))))
    ;; the lanes' maximum and minimum by two shuffles each
    (local.set $bmax (f32x4.pmax (local.get $bmax) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $bmax) (local.get $bmax))))
    (local.set $bmax (f32x4.pmax (local.get $bmax) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $bmax) (local.get $bmax))))
    (global.set $blockMax (f32x4.extract_lane 0 (local.get $bmax)))
    (local.set $bmin (f32x4.pmin (local.get $bmin) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $bmin) (local.get $bmin))))
    (local.set $bmin (f32x4.pmin (local.get $bmin) (i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11 (local.get $bmin) (local.get $bmin))))
    (global.set $blockMin (f32x4.extract_lane 0 (local.get $bmin)))
    ;;m (global.set $blockSquares (call $lanesSum (local.get $squares)))
    ;;m (global.set $blockWeighted (call $lanesSum (local.get $weighted)))
    (f32.add (f32.add (f32x4.extract_lane 0 (local.get $acc)) (f32x4.extract_lane 1 (local.get $acc)))
             (f32.add (f32x4.extract_lane 2 (local.get $acc)) (f32x4.extract_lane 3 (local.get $acc)))))

  ;; One row: p → n float32 logits; writes (M, s, ties) as three f64 at $out, and the twin (s₂, w, the first index of
  ;; M, Σ x) as four f64 at $moments. A last block shorter than 128 logits is staged in the 512 bytes at $scratch,
  ;; padded with -inf.
  (func $row (param $p i32) (param $n i32) (param $out i32) (param $scratch i32)
    ;;m (param $moments i32)
    (local $end i32) (local $q i32) (local $b i32) (local $blockEnd i32) (local $r i32)
    (local $bmax v128) (local $xsum v128)
    (local $blockMax f32) (local $m f32) (local $s f64) (local $rest f32) (local $sum f32) (local $masking i32)
    ;;m (local $squares f64) (local $weighted f64) (local $raisedAt i32) (local $values f64) (local $shrink f64)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $m (f32.const -inf))
    (global.set $ties (i32.const 0))
    ;;m (local.set $raisedAt (local.get $p))
    (local.set $q (local.get $p))
    (block $rowDone
      (loop $blocks
        (br_if $rowDone (i32.ge_u (local.get $q) (local.get $end)))
        (local.set $b (local.get $q))
        (if (i32.gt_u (i32.add (local.get $q) (i32.const 512)) (local.get $end)) (then
          (memory.copy (local.get $scratch) (local.get $q) (i32.sub (local.get $end) (local.get $q)))
          (local.set $r (i32.add (local.get $scratch) (i32.sub (local.get $end) (local.get $q))))
          (block $padded (loop $pad
            (br_if $padded (i32.ge_u (local.get $r) (i32.add (local.get $scratch) (i32.const 512))))
            (f32.store (local.get $r) (f32.const -inf))
            (local.set $r (i32.add (local.get $r) (i32.const 4)))
            (br $pad)))
          (local.set $b (local.get $scratch))))
        (local.set $blockEnd (i32.add (local.get $b) (i32.const 512)))
        ;;m (local.set $values (f64.add (local.get $values) (call $valuesSum (local.get $q) (local.get $end))))
        (if (f32.eq (local.get $m) (f32.const -inf))
          (then
            ;; no finite logit yet: scan the block for its maximum, and its plain sum, which is NaN
            ;; exactly when it holds a NaN (or +inf beside -inf)
            (local.set $bmax (v128.const f32x4 -inf -inf -inf -inf))
            (local.set $xsum (v128.const f32x4 0 0 0 0))
            (local.set $r (local.get $b))
            (loop $scan
              (local.set $bmax (f32x4.pmax (local.get $bmax) (v128.load (local.get $r))))
              (local.set $xsum (f32x4.add (local.get $xsum) (v128.load (local.get $r))))
              (local.set $r (i32.add (local.get $r) (i32.const 16)))
              (br_if $scan (i32.lt_u (local.get $r) (local.get $blockEnd))))
            (local.set $blockMax (f32.max (f32.max (f32x4.extract_lane 0 (local.get $bmax)) (f32x4.extract_lane 1 (local.get $bmax)))
                                          (f32.max (f32x4.extract_lane 2 (local.get $bmax)) (f32x4.extract_lane 3 (local.get $bmax)))))
            (local.set $sum (f32.add (f32.add (f32x4.extract_lane 0 (local.get $xsum)) (f32x4.extract_lane 1 (local.get $xsum)))
                                     (f32.add (f32x4.extract_lane 2 (local.get $xsum)) (f32x4.extract_lane 3 (local.get $xsum)))))
            (if (f32.ne (local.get $sum) (local.get $sum)) (then
              (f64.store (local.get $out) (f64.const nan)) (return)))
            (if (f32.eq (local.get $blockMax) (f32.const inf)) (then
              (f64.store (local.get $out) (f64.const inf)) (return)))
            (if (f32.gt (local.get $blockMax) (f32.const -inf)) (then
              (local.set $m (local.get $blockMax))
              (local.set $s (f64.promote_f32
                (call $blockSum (local.get $b) (local.get $blockEnd) (f32x4.splat (local.get $m)) (i32.const 1))))
              ;;m (local.set $squares (f64.promote_f32 (global.get $blockSquares)))
              ;;m (local.set $weighted (f64.promote_f32 (global.get $blockWeighted)))
              ;;m (local.set $raisedAt (local.get $q))
              )))
          (else
            ;; one pass against the running maximum, which is final for all but a few blocks: the
            ;; fast one until a block holds a term below M − 86.6 (a masked vocabulary, the
            ;; padding), which is summed again with the mask, as the row's later blocks are at once
            (if (i32.eqz (local.get $masking)) (then
              (local.set $rest (call $fastSum (local.get $b) (local.get $blockEnd) (f32x4.splat (local.get $m))))
              (local.set $masking (f32.lt (global.get $blockMin) (f32.sub (local.get $m) (f32.const 86.6))))))
            (if (local.get $masking) (then
              (local.set $rest (call $blockSum (local.get $b) (local.get $blockEnd) (f32x4.splat (local.get $m)) (i32.const 0)))))
            (local.set $blockMax (global.get $blockMax))
            (if (f32.eq (local.get $blockMax) (f32.const inf)) (then
              (f64.store (local.get $out) (f64.const inf)) (return)))
            (if (f32.ge (local.get $blockMax) (local.get $m))
              (then
                ;; the block holds the maximum, or a new one: what was summed against the old
                ;; maximum (its ties included) shrinks, and the block is summed again with the tie
                ;; mask (its first pass, against a maximum it exceeds, may have overflowed)
                (if (f32.gt (local.get $blockMax) (local.get $m)) (then
                  ;;m (local.set $shrink (f64.sub (f64.promote_f32 (local.get $m)) (f64.promote_f32 (local.get $blockMax))))
                  ;;m (local.set $weighted (f64.add (local.get $weighted)
                  ;;m   (f64.mul (local.get $shrink) (f64.add (local.get $s) (f64.convert_i32_u (global.get $ties))))))
                  ;;m (local.set $shrink (call $exp (local.get $shrink)))
                  ;;m (local.set $weighted (f64.mul (local.get $weighted) (local.get $shrink)))
                  ;;m (local.set $squares (f64.mul (f64.mul (f64.add (local.get $squares) (f64.convert_i32_u (global.get $ties)))
                  ;;m   (local.get $shrink)) (local.get $shrink)))
                  ;;m (local.set $raisedAt (local.get $q))
                  (local.set $s (f64.mul (f64.add (local.get $s) (f64.convert_i32_u (global.get $ties)))
                                         (call $exp (f64.sub (f64.promote_f32 (local.get $m)) (f64.promote_f32 (local.get $blockMax))))))
                  (global.set $ties (i32.const 0))
                  (local.set $m (local.get $blockMax))))
                (local.set $s (f64.add (local.get $s) (f64.promote_f32
                  (call $blockSum (local.get $b) (local.get $blockEnd) (f32x4.splat (local.get $m)) (i32.const 1))))))
              (else
                ;; NaN logits make the rest NaN (exp keeps NaN), reported after the row
                (local.set $s (f64.add (local.get $s) (f64.promote_f32 (local.get $rest))))))
            ;;m (local.set $squares (f64.add (local.get $squares) (f64.promote_f32 (global.get $blockSquares))))
            ;;m (local.set $weighted (f64.add (local.get $weighted) (f64.promote_f32 (global.get $blockWeighted))))
            ))
        (local.set $q (i32.add (local.get $q) (i32.const 512)))
        (br $blocks)))
    (if (f64.ne (local.get $s) (local.get $s)) (then
      (f64.store (local.get $out) (f64.const nan)) (return)))
    (f64.store offset=0 (local.get $out) (f64.promote_f32 (local.get $m)))
    (f64.store offset=8 (local.get $out) (local.get $s))
    (f64.store offset=16 (local.get $out) (f64.convert_i32_u (global.get $ties)))
    ;;m (f64.store offset=0 (local.get $moments) (local.get $squares))
    ;;m (f64.store offset=8 (local.get $moments) (local.get $weighted))
    ;;m (f64.store offset=16 (local.get $moments) (f64.convert_i32_u (i32.shr_u
    ;;m   (i32.sub (call $firstAt (local.get $raisedAt) (local.get $end) (local.get $m)) (local.get $p)) (i32.const 2))))
    ;;m (f64.store offset=24 (local.get $moments) (local.get $values))
    )

  ;; $count rows of $n float32 each, row i at the byte offset in the i32 at $offsets + 4i (rows read
  ;; where they lie); statistics to $out (24 bytes per row), the twin's moments to $moments (32 bytes per row).
  (func (export "rowStatisticsAt") (param $offsets i32) (param $count i32) (param $n i32) (param $out i32) (param $scratch i32)
    ;;m (param $moments i32)
    (block $done
      (loop $rows
        (br_if $done (i32.eqz (local.get $count)))
        (call $row (i32.load (local.get $offsets)) (local.get $n) (local.get $out) (local.get $scratch)
          ;;m (local.get $moments)
          )
        (local.set $offsets (i32.add (local.get $offsets) (i32.const 4)))
        (local.set $out (i32.add (local.get $out) (i32.const 24)))
        ;;m (local.set $moments (i32.add (local.get $moments) (i32.const 32)))
        (local.set $count (i32.sub (local.get $count) (i32.const 1)))
        (br $rows))))
  ;; end twin

  ;; The sum of four float32 lanes, (0 + 1) + (2 + 3).
  (func $lanesSum (param $v v128) (result f32)
    (f32.add (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
             (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v)))))

  ;; Σ x in float64 over the float32 block at $q, 128 logits or fewer where the row ends at $end first (each float32
  ;; widens exactly; two float64 lanes, then a scalar tail).
  (func $valuesSum (param $q i32) (param $end i32) (result f64)
    (local $stop i32) (local $x v128) (local $acc v128) (local $tail f64)
    (local.set $stop (i32.add (local.get $q) (i32.const 512)))
    (if (i32.gt_u (local.get $stop) (local.get $end)) (then (local.set $stop (local.get $end))))
    (block $vectorsDone
      (loop $vectors
        (br_if $vectorsDone (i32.gt_u (i32.add (local.get $q) (i32.const 16)) (local.get $stop)))
        (local.set $x (v128.load (local.get $q)))
        (local.set $acc (f64x2.add (local.get $acc) (f64x2.promote_low_f32x4 (local.get $x))))
        (local.set $acc (f64x2.add (local.get $acc) (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $vectors)))
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $q) (local.get $stop)))
        (local.set $tail (f64.add (local.get $tail) (f64.promote_f32 (f32.load (local.get $q)))))
        (local.set $q (i32.add (local.get $q) (i32.const 4)))
        (br $tail)))
    (f64.add (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))) (local.get $tail)))

  ;; The address of the first float32 equal to $m from $q (before $end; the caller knows one is there).
  (func $firstAt (param $q i32) (param $end i32) (param $m f32) (result i32)
    (block $found
      (loop $search
        (br_if $found (i32.ge_u (local.get $q) (local.get $end)))
        (br_if $found (f32.eq (f32.load (local.get $q)) (local.get $m)))
        (local.set $q (i32.add (local.get $q) (i32.const 4)))
        (br $search)))
    (local.get $q))
  ;; The logits gradient's softmax part: c·exp(x − M) for the n logits at $p (n a multiple of 4),
  ;; written to $out; exactly 0 where x < M − 86.6 (−∞ included), where the true value is below
  ;; float32's normal range anyway. The same exp as $blockSum.
  (func (export "scaledExp") (param $p i32) (param $n i32) (param $max f32) (param $scale f32) (param $out i32)
    (local $end i32) (local $m v128) (local $c v128) (local $d v128) (local $kb v128) (local $r v128) (local $e v128) (local $keep v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $m (f32x4.splat (local.get $max)))
    (local.set $c (f32x4.splat (local.get $scale)))
    (block $done
      (loop $vectors
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $d (f32x4.sub (v128.load (local.get $p)) (local.get $m)))
        (local.set $keep (f32x4.ge (local.get $d) (v128.const f32x4 -86.6 -86.6 -86.6 -86.6)))
        (local.set $d (f32x4.pmax (local.get $d) (v128.const f32x4 -86.6 -86.6 -86.6 -86.6)))
        ;; expand exp32 $d $kb $r $e
        (v128.store (local.get $out) (v128.and (f32x4.mul (local.get $e) (local.get $c)) (local.get $keep)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $vectors))))

  ;; The float64 path's row statistics: `count` rows of `n` float64 each from `p` (any n, rows one after another),
  ;; three float64 per row to `out` as for float32 rows: the maximum M, the rest s = Σ_(x ≠ M) exp(x − M) and the ties;
  ;; the twin (rowStatistics64Moments) also writes s₂, w, the first index of M and Σ x, four float64 per row to
  ;; `moments`, as for float32 rows (terms with x − M < −354, whose square is below float64's normal range, add 0 to
  ;; s₂). Two passes over each row (it is in cache): the maximum and a plain sum (NaN when the row holds a NaN, or +inf
  ;; beside −inf, or overflows beside −inf; it is Σ x), then the sums. A non-finite M or a NaN sum is left for the
  ;; caller's float64 scan, which names the position or, for an overflowing plain sum, scores the row itself. exp(d) in
  ;; float64: k = round(d·log2 e) by the 1.5·2^52 trick, r = d − k·ln2 in two parts (fdlibm's split: k·ln2_hi is
  ;; exact), e^r by its Taylor polynomial to degree 13 (remainder below 2^-57 on |r| ≤ ln2/2), 2^k added to the
  ;; exponent bits; terms with d < −708 (below 2^-1021, nothing against the maximum's 1) are 0. Pairs of logits go
  ;; through f64x2; an odd last one on its own, its exp by the imported Math.exp.
  ;; twin Moments
  (func (export "rowStatistics64") (param $p i32) (param $n i32) (param $count i32) (param $out i32)
    ;;m (param $moments i32)
    (local $end i32) (local $pairsEnd i32) (local $q i32) (local $m f64) (local $mv v128) (local $vmax v128) (local $vsum v128)
    (local $x v128) (local $d v128) (local $kb v128) (local $r v128) (local $e v128) (local $ne v128) (local $acc v128) (local $unequal v128) (local $sum f64)
    (local $last f64) (local $lastD f64) (local $lastE f64) (local $rest f64) (local $ties f64)
    ;;m (local $squares v128) (local $weighted v128) (local $lastSquare f64) (local $lastWeighted f64) (local $at i32)
    (block $done
      (loop $rows
        (br_if $done (i32.eqz (local.get $count)))
        (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 3))))
        (local.set $pairsEnd (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 3))))
        (local.set $vmax (v128.const f64x2 -inf -inf))
        (local.set $vsum (v128.const f64x2 0 0))
        (local.set $q (local.get $p))
        (block $scanned
          (loop $scan
            (br_if $scanned (i32.ge_u (local.get $q) (local.get $pairsEnd)))
            (local.set $x (v128.load (local.get $q)))
            (local.set $vmax (f64x2.pmax (local.get $vmax) (local.get $x)))
            (local.set $vsum (f64x2.add (local.get $vsum) (local.get $x)))
            (local.set $q (i32.add (local.get $q) (i32.const 16)))
            (br $scan)))
        (local.set $m (f64.max (f64x2.extract_lane 0 (local.get $vmax)) (f64x2.extract_lane 1 (local.get $vmax))))
        (local.set $sum (f64.add (f64x2.extract_lane 0 (local.get $vsum)) (f64x2.extract_lane 1 (local.get $vsum))))
        (if (i32.lt_u (local.get $pairsEnd) (local.get $end)) (then
          (local.set $last (f64.load (local.get $pairsEnd)))
          (local.set $m (f64.max (local.get $m) (local.get $last)))
          (local.set $sum (f64.add (local.get $sum) (local.get $last)))))
        (f64.store offset=0 (local.get $out) (local.get $m))
        (f64.store offset=8 (local.get $out) (f64.const nan))
        (f64.store offset=16 (local.get $out) (f64.const 0))
        ;;m (local.set $squares (v128.const f64x2 0 0))
        ;;m (local.set $weighted (v128.const f64x2 0 0))
        ;;m (local.set $lastSquare (f64.const 0))
        ;;m (local.set $lastWeighted (f64.const 0))
        (if (i32.and (f64.eq (local.get $sum) (local.get $sum)) (f64.lt (f64.abs (local.get $m)) (f64.const inf)))
          (then
            (local.set $mv (f64x2.splat (local.get $m)))
            (local.set $acc (v128.const f64x2 0 0))
            (local.set $unequal (v128.const i64x2 0 0))
            (local.set $q (local.get $p))
            (block $summed
              (loop $terms
                (br_if $summed (i32.ge_u (local.get $q) (local.get $pairsEnd)))
                (local.set $x (v128.load (local.get $q)))
                (local.set $d (f64x2.sub (local.get $x) (local.get $mv)))
                ;; expand exp64 $d $kb $r $e
                (local.set $ne (f64x2.ne (local.get $x) (local.get $mv)))
                (local.set $e (v128.andnot (v128.and (local.get $e) (local.get $ne)) (f64x2.lt (local.get $d) (v128.const f64x2 -708 -708))))
                (local.set $acc (f64x2.add (local.get $acc) (local.get $e)))
                ;;m (local.set $weighted (f64x2.add (local.get $weighted) (f64x2.mul (local.get $e) (f64x2.pmax (local.get $d) (v128.const f64x2 -708 -708)))))
                ;;m (local.set $squares (f64x2.add (local.get $squares) (f64x2.mul (local.get $e) (v128.and (local.get $e) (f64x2.ge (local.get $d) (v128.const f64x2 -354 -354))))))
                (local.set $unequal (i64x2.sub (local.get $unequal) (local.get $ne)))
                (local.set $q (i32.add (local.get $q) (i32.const 16)))
                (br $terms)))
            (local.set $rest (f64.add (f64x2.extract_lane 0 (local.get $acc)) (f64x2.extract_lane 1 (local.get $acc))))
            (local.set $ties (f64.convert_i64_u (i64.sub (i64.extend_i32_u (i32.and (local.get $n) (i32.const -2)))
              (i64.add (i64x2.extract_lane 0 (local.get $unequal)) (i64x2.extract_lane 1 (local.get $unequal))))))
            (if (i32.lt_u (local.get $pairsEnd) (local.get $end)) (then
              (if (f64.eq (local.get $last) (local.get $m))
                (then (local.set $ties (f64.add (local.get $ties) (f64.const 1))))
                (else
                  (local.set $lastD (f64.sub (local.get $last) (local.get $m)))
                  (if (f64.ge (local.get $lastD) (f64.const -708)) (then
                    (local.set $lastE (call $exp (local.get $lastD)))
                    (local.set $rest (f64.add (local.get $rest) (local.get $lastE)))
                    ;;m (local.set $lastWeighted (f64.mul (local.get $lastE) (local.get $lastD)))
                    ;;m (if (f64.ge (local.get $lastD) (f64.const -354)) (then
                    ;;m   (local.set $lastSquare (f64.mul (local.get $lastE) (local.get $lastE)))))
                    ))))))
            (f64.store offset=8 (local.get $out) (local.get $rest))
            (f64.store offset=16 (local.get $out) (local.get $ties))))
        ;;m (f64.store offset=0 (local.get $moments) (f64.add (f64.add (f64x2.extract_lane 0 (local.get $squares))
        ;;m   (f64x2.extract_lane 1 (local.get $squares))) (local.get $lastSquare)))
        ;;m (f64.store offset=8 (local.get $moments) (f64.add (f64.add (f64x2.extract_lane 0 (local.get $weighted))
        ;;m   (f64x2.extract_lane 1 (local.get $weighted))) (local.get $lastWeighted)))
        ;;m (local.set $at (local.get $p))
        ;;m (block $found
        ;;m   (loop $search
        ;;m     (br_if $found (i32.ge_u (local.get $at) (local.get $end)))
        ;;m     (br_if $found (f64.eq (f64.load (local.get $at)) (local.get $m)))
        ;;m     (local.set $at (i32.add (local.get $at) (i32.const 8)))
        ;;m     (br $search)))
        ;;m (f64.store offset=16 (local.get $moments) (f64.convert_i32_u (i32.shr_u (i32.sub (local.get $at) (local.get $p)) (i32.const 3))))
        ;;m (f64.store offset=24 (local.get $moments) (local.get $sum))
        ;;m (local.set $moments (i32.add (local.get $moments) (i32.const 32)))
        (local.set $p (local.get $end))
        (local.set $out (i32.add (local.get $out) (i32.const 24)))
        (local.set $count (i32.sub (local.get $count) (i32.const 1)))
        (br $rows))))
  ;; end twin

  ;; The float64 path's logits gradient: scale·exp(x − max) for the n float64 at $p (n even), written
  ;; to $out (which may be $p); exactly 0 where x − max < −708 (−∞ included). The same exp as
  ;; rowStatistics64.
  (func (export "scaledExp64") (param $p i32) (param $n i32) (param $max f64) (param $scale f64) (param $out i32)
    (local $end i32) (local $mv v128) (local $c v128) (local $d v128) (local $kb v128) (local $r v128) (local $e v128)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 3))))
    (local.set $mv (f64x2.splat (local.get $max)))
    (local.set $c (f64x2.splat (local.get $scale)))
    (block $done
      (loop $vectors
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $d (f64x2.sub (v128.load (local.get $p)) (local.get $mv)))
        ;; expand exp64 $d $kb $r $e
        (v128.store (local.get $out) (v128.andnot (f64x2.mul (local.get $e) (local.get $c)) (f64x2.lt (local.get $d) (v128.const f64x2 -708 -708))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $vectors))))

)
