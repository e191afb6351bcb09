package vtl

import (
	"math"
	"math/big"
)

// Arithmetic follows Velocity 1.7's MathUtils: integers stay integers
// (division truncates), overflow widens to BigInteger, and any Double makes
// the operation a Double one.

func toBig(v value) *big.Int {
	switch v := v.(type) {
	case int64:
		return big.NewInt(v)
	case *big.Int:
		return v
	}
	return nil
}

func toFloat(v value) float64 {
	switch v := v.(type) {
	case int64:
		return float64(v)
	case *big.Int:
		f, _ := new(big.Float).SetInt(v).Float64()
		return f
	case float64:
		return v
	}
	return math.NaN()
}

func normBig(b *big.Int) value {
	if b.IsInt64() {
		return b.Int64()
	}
	return b
}

// compareNumbers compares two numbers; ok is false if either is not one.
func compareNumbers(l, r value) (int, bool) {
	if !isNumber(l) || !isNumber(r) {
		return 0, false
	}
	_, lf := l.(float64)
	_, rf := r.(float64)
	if lf || rf {
		a, b := toFloat(l), toFloat(r)
		switch {
		case a < b:
			return -1, true
		case a > b:
			return 1, true
		}
		return 0, true
	}
	if a, ok := l.(int64); ok {
		if b, ok := r.(int64); ok {
			switch {
			case a < b:
				return -1, true
			case a > b:
				return 1, true
			}
			return 0, true
		}
	}
	return toBig(l).Cmp(toBig(r)), true
}

// arith applies + - * / % to numbers. A zero divisor yields null, as in
// Velocity (which logs and returns null outside strict mode).
func arith(op opKind, l, r value) value {
	_, lf := l.(float64)
	_, rf := r.(float64)
	if lf || rf {
		a, b := toFloat(l), toFloat(r)
		switch op {
		case opAdd:
			return a + b
		case opSub:
			return a - b
		case opMul:
			return a * b
		case opDiv:
			if b == 0 {
				return nil
			}
			return a / b
		case opMod:
			if b == 0 {
				return nil
			}
			return math.Mod(a, b)
		}
	}
	a, aok := l.(int64)
	b, bok := r.(int64)
	if aok && bok {
		switch op {
		case opAdd:
			if s := a + b; (s^a) >= 0 || (s^b) >= 0 {
				return s
			}
		case opSub:
			if s := a - b; (s^a) >= 0 || (s^^b) >= 0 {
				return s
			}
		case opMul:
			if a == 0 || b == 0 {
				return int64(0)
			}
			if s := a * b; s/b == a && !(a == -1 && b == math.MinInt64) && !(b == -1 && a == math.MinInt64) {
				return s
			}
		case opDiv:
			if b == 0 {
				return nil
			}
			if !(a == math.MinInt64 && b == -1) {
				return a / b
			}
		case opMod:
			if b == 0 {
				return nil
			}
			if b == -1 {
				return int64(0)
			}
			return a % b
		}
	}
	x, y := toBig(l), toBig(r)
	z := new(big.Int)
	switch op {
	case opAdd:
		z.Add(x, y)
	case opSub:
		z.Sub(x, y)
	case opMul:
		z.Mul(x, y)
	case opDiv:
		if y.Sign() == 0 {
			return nil
		}
		z.Quo(x, y)
	case opMod:
		if y.Sign() == 0 {
			return nil
		}
		z.Rem(x, y)
	}
	return normBig(z)
}
