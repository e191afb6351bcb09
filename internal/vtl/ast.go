package vtl

// Nodes of a parsed template. Offsets are byte offsets into Template.src,
// used only to locate errors.

type node interface{}

type textNode struct{ s string }

// refNode renders a reference in template text.
type refNode struct {
	ref       *refExpr
	escaped   bool   // an odd number of backslashes preceded the $
	escPrefix string // half of the preceding backslashes
}

type setNode struct {
	off int
	lhs *refExpr
	rhs expr
}

type ifNode struct {
	conds    []expr
	bodies   [][]node
	elseBody []node // nil when there is no #else
}

type foreachNode struct {
	off  int
	name string
	iter expr
	body []node
}

// breakNode is #break or #break($scope).
type breakNode struct {
	off   int
	scope expr // nil for the nearest scope
}

// stopNode is #stop or #stop(message).
type stopNode struct{ off int }

type expr interface{}

// litExpr is a constant: string (single-quoted or without $ and #), int64,
// *big.Int, float64 or bool.
type litExpr struct{ v value }

// strExpr is a double-quoted string literal containing $ or #: Velocity
// renders its content as a template.
type strExpr struct {
	off       int
	nodes     []node
	stripLast bool // Velocity appends a space before parsing and strips it after
}

type listExpr struct {
	off   int
	elems []expr
}

type mapExpr struct {
	off        int
	keys, vals []expr
}

type rangeExpr struct {
	off      int
	from, to expr
}

type partKind uint8

const (
	partProp partKind = iota
	partMethod
	partIndex
)

type refPart struct {
	kind partKind
	off  int
	name string // property or method name
	args []expr // method arguments, or the single index argument
}

// refExpr is $root.part.part(...)[i].
type refExpr struct {
	off   int
	root  string
	parts []refPart
	lit   string // source text, e.g. "$!{foo.bar}", used where Velocity prints the literal
}

type opKind uint8

const (
	opOr opKind = iota
	opAnd
	opEq
	opNe
	opLt
	opLe
	opGt
	opGe
	opAdd
	opSub
	opMul
	opDiv
	opMod
)

var opNames = [...]string{"||", "&&", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%"}

type binExpr struct {
	off  int
	op   opKind
	l, r expr
}

type notExpr struct{ x expr }
