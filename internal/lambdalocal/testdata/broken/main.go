// Command broken is a test fixture that does not compile, for Build's error report.
package main

func main() {
	var n int = "not a number"
	_ = n
}
