package vtl

import (
	"errors"
	"strings"
	"testing"
)

func TestVelocitySemantics(t *testing.T) {
	in := &Input{
		Body:           []byte(`{"n":7,"f":1.5,"s":"Hello, World","list":["a","b","c"],"obj":{"k":"v"},"big":12345678901234567890,"t":true}`),
		PathParams:     map[string]string{"id": "p1", "both": "from-path"},
		Query:          map[string][]string{"both": {"from-query"}, "q": {"1", "2"}, "only": {"query"}},
		Headers:        map[string][]string{"X-Trace": {"h1"}, "Only-Header": {"hv"}},
		StageVariables: map[string]string{"env": "dev"},
	}
	tests := []struct{ name, tpl, want string }{
		// Whitespace, Velocity 1.7 Parser.jjt.
		{"a line with only #set leaves nothing", "#set($a = 1)\nx$a", "x1"},
		{"#set swallows the blanks that start a token", "  #set($a = 1)\n  #set($b = 2)\n$a$b", "12"},
		{"#set keeps indentation that follows text", "a\n  #set($a = 1)\nb", "a\n  b"},
		{"#set without a following newline keeps the rest of the line", "#set($a = 1) x", " x"},
		{"#if and #end swallow the newline after them", "#if(true)\nyes\n#end\nafter", "yes\nafter"},
		{"indentation before #if and #end stays", "  #if(true)\n  yes\n  #end\nz", "    yes\n  z"},
		{"#else swallows its newline", "#if(false)\na\n#else\nb\n#end\n", "b\n"},
		{"#elseif picks the first true branch", "#set($x = 2)#if($x == 1)one#elseif($x == 2)two#else other#end", "two"},
		{"a line comment swallows its newline", "a ## note\nb", "a b"},
		{"a block comment swallows nothing", "a#* note *#\nb", "a\nb"},
		{"an unparsed block prints as is", "#[[ $x #if( ]]#", " $x #if( "},
		{"CRLF after a directive is swallowed", "#set($a = 1)\r\nx", "x"},
		// References.
		{"an unresolved reference prints empty", "[$nothing][$!nothing][${nothing}][$nothing.deeper.still()]", "[][][][]"},
		{"formal reference ends at the brace", "${stageVariables.env}x $!{stageVariables.env}", "devx dev"},
		{"a dot followed by a non-letter ends the reference", "$stageVariables.env. $stageVariables.env.1", "dev. dev.1"},
		{"hyphens belong to identifiers", "#set($a-b = 3)$a-b", "3"},
		{"a lone $ is text", "cost: $ 5 $$stageVariables.env $[", "cost: $ 5 $dev $["},
		{"\\$ escapes a set reference", `\$stageVariables.env`, `$stageVariables.env`},
		{"\\$ keeps its backslash before an unset reference", `\$nothing`, `\$nothing`},
		{"\\\\$ prints a backslash and the value", `\\$stageVariables.env`, `\dev`},
		{"\\# escapes a directive", `\#if($x) \#foreach \#foo`, `#if() #foreach \#foo`},
		{"other backslashes are text", `C:\path\\x`, `C:\path\\x`},
		{"an unknown directive is text", "color: #fff; #1 # x #foo($a, 'b')\nend", "color: #fff; #1 # x #foo($a, 'b')\nend"},
		{"bracketed directives", "#{if}(true)a#{else}b#{end}", "a"},
		// $input and $util.
		{"params looks in path, query string, then header", "$input.params('both') $input.params('only') $input.params('x-trace') [$input.params('none')]", "from-path query h1 []"},
		{"params takes the last of repeated values", "$input.params('q') $input.params().querystring.q", "2 2"},
		{"params().header.get ignores case", "$input.params().header.get('x-trace') $input.params().header.size()", "h1 2"},
		{"path of a number keeps its Java type", "$input.path('$.n') $input.path('$.f') $input.path('$.big') $input.path('$.t')", "7 1.5 12345678901234567890 true"},
		{"json quotes strings and keeps numbers", "$input.json('$.s') $input.json('$.n') $input.json('$.obj') $input.json('$.list[1]')", `"Hello, World" 7 {"k":"v"} "b"`},
		{"json of a missing path is an empty JSON string", "$input.json('$.missing')", `""`},
		{"jsonpath without $ is relative to the root", "$input.path('obj.k') $input.path('list[-1]')", "v c"},
		{"jsonpath wildcards and slices give JSON lists", "$input.path('$.list[*]') $input.path('$.list[0:2]') $input.path('$..k')", `["a","b","c"] ["a","b"] ["v"]`},
		{"input.body is the raw payload", "$input.body.length()", "107"},
		{"util functions", "$util.urlEncode('a b&c=d~*é') $util.urlDecode('a+b%26c') $util.base64Encode('hi?') $util.base64Decode('aGk/') $util.base64Decode('aGk')", "a+b%26c%3Dd%7E*%C3%A9 a b&c aGk/ hi? hi"},
		{"util of null is null", "[$util.escapeJavaScript($nothing)]", "[]"},
		{"stage variables", "$stageVariables.env $stageVariables['env'] ${stageVariables['env']}", "dev dev dev"},
		// Literals and operators.
		{"integer division truncates", "#set($x = 7 / 2)$x,#set($y = 7.0 / 2)$y,#set($z = -7 % 3)$z", "3,3.5,-1"},
		{"division by zero is null", "#set($x = 1)#set($x = 1 / 0)$x", "1"},
		{"overflow widens to BigInteger", "#set($x = 9223372036854775807 + 1)$x", "9223372036854775808"},
		{"plus concatenates when a side is a string", `#set($x = "a" + 1)$x,#set($y = 1 + "b")$y,#set($z = "a" + $nothing)$z`, "a1,1b,a$nothing"},
		{"doubles print like Java", "#set($a = 1.0)#set($b = 1e7)#set($c = 0.0001)$a $b $c", "1.0 1.0E7 1.0E-4"},
		{"#set after a reference swallows the blanks before it", `#set($l = [1, "a", [2]])$l #set($r = [3..1])$r $r.size()`, "[1, a, [2]][3, 2, 1] 3"},
		{"maps print like LinkedHashMap", `#set($m = {"b": 1, "a": {"c": true}})$m $m.b $m.a.c $m.keySet() $m.entrySet()`, "{b=1, a={c=true}} 1 true [b, a] [b=1, a={c=true}]"},
		{"string literals interpolate unless single-quoted", `#set($d = "x$stageVariables.env")#set($s = 'x$stageVariables.env')$d $s`, "xdev x$stageVariables.env"},
		{"doubled quotes and \\u in string literals", `#set($a = "say ""hi"" \u0041")#set($b = 'it''s')$a $b`, `say "hi" A it's`},
		{"directives inside string literals", `#set($a = "#if(true)yes#end")$a`, "yes"},
		// Conditions.
		{"null is false, empty string is true", `#set($e = "")#if($nothing)a#end#if($e)b#end#if(!$nothing)c#end`, "bc"},
		{"literals other than true and false are false in #if", `#if("x")a#end#if(1)b#end#if(true)c#end`, "c"},
		{"null equals empty string", `#if($nothing == "")a#end#if($nothing != "x")b#end#if("" == $nothing)c#end`, "abc"},
		{"numbers compare by value, others by toString", `#if(1 == 1.0)a#end#if($input.path('$.n') == "7")b#end#if(true == "true")c#end`, "abc"},
		{"comparing non-numbers with < is false", `#if("a" < "b")a#{else}b#end`, "b"},
		{"word operators", `#if(1 lt 2 and not false or false)ok#end`, "ok"},
		{"&& short-circuits", `#if(false && $x.y())a#{else}b#end`, "b"},
		// #set.
		{"#set with a null value keeps the old value", "#set($a = 1)#set($a = $nothing)$a", "1"},
		{"#set on a map property and index", `#set($m = {})#set($m.a = 1)#set($m["b"] = 2)$m`, "{a=1, b=2}"},
		{"#set on a list index", `#set($l = [1, 2])#set($l[-1] = 9)$l`, "[1, 9]"},
		// #foreach.
		{"foreach counters", "#foreach($i in ['a', 'b'])$foreach.index$foreach.count$velocityCount$i$foreach.hasNext $foreach.first$foreach.last;#end", "011atrue truefalse;122bfalse falsetrue;"},
		{"foreach restores the loop variable", "#set($i = 'x')#foreach($i in [1, 2])#end$i", "x"},
		{"foreach over a map iterates its values", `#foreach($v in {"a": 1, "b": 2})$v#end`, "12"},
		{"foreach over a non-collection renders nothing", "#foreach($c in 'abc')x#end#foreach($c in $nothing)y#end.", "."},
		{"nested foreach and parent scope", "#foreach($a in [1, 2])#foreach($b in [3, 4])$foreach.parent.count$b #end#end", "13 14 23 24 "},
		{"break leaves the nearest loop", "#foreach($i in [1..5])#if($i == 3)#break#end$i#end.", "12."},
		{"break with a scope leaves that loop", "#foreach($a in [1, 2])#foreach($b in [1, 2])#break($foreach.parent)#end$a#end.", "."},
		{"foreach.stop() leaves the loop", "#foreach($i in [1..5])$i$foreach.stop()#end.", "1."},
		{"foreach stops after 1000 iterations", "#foreach($i in [1..1500])#set($last = $i)#end$last", "1000"},
		{"stop ends the template", "a#stop b", "a"},
		// Java methods.
		{"string methods", `#set($s = $input.path('$.s'))$s.length() $s.toUpperCase() $s.substring(7) $s.indexOf("o") $s.contains("World") $s.replace("l", "L") $s.trim().isEmpty() $s.charAt(0) $s.startsWith("He") $s.endsWith("x")`, "12 HELLO, WORLD World 4 true HeLLo, WorLd false H true false"},
		{"java regex replaceAll and matches", `#set($s = "a.b.c")$s.replaceAll("\.", "-") $s.replaceFirst("(\w)\.(\w)", "$2$1") $s.matches("[a-c.]+") $s.matches("a")`, "a-b-c ba.c true false"},
		{"split returns an array that iterates and indexes", `#set($s = "a,b,,c,,")#set($p = $s.split(","))$p.size()#foreach($x in $p)[$x]#end $p[0] $p.get(3)`, "4[a][b][][c] a c"},
		{"string utf-16 length", `#set($s = "é😀")$s.length() $s.substring(1)`, "3 😀"},
		{"list methods", `#set($l = [3, 1])#set($ok = $l.add(2))$l $l.size() $l.get(1) $l.contains(2) $l.indexOf(2) $l.isEmpty() $l.subList(0, 2)`, "[3, 1, 2] 3 1 true 2 false [3, 1]"},
		{"add renders true, as in Velocity", `#set($l = [])$l.add(1)`, "true"},
		{"map methods", `#set($m = {"a": 1})$m.put("b", 2)$m.containsKey("b") $m.get("a") $m.size() $m.values() $m.remove("a") $m`, "true 1 2 [1, 2] 1 {b=2}"},
		{"number methods", `#set($n = 7)$n.toString() $n.doubleValue() $n.equals(7)`, "7 7.0 true"},
		{"a method Java does not have is null", `[$input.path('$.s').nosuch()]`, "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(t, tt.tpl, in); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestEscapeJavaScriptIsCommonsLang(t *testing.T) {
	tests := []struct{ in, want string }{
		{`it's`, `it\'s`},
		{`say "hi"`, `say \"hi\"`},
		{`a/b\c`, `a\/b\\c`},
		{"tab\tnl\nret\rff\fbs\b", `tab\tnl\nret\rff\fbs\b`},
		{"\x01\x1f\x7f", `\u0001\u001F` + "\x7f"},
		{"é", `\u00E9`},
		{"€", `\u20AC`},
		{"😀", `\uD83D\uDE00`},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := escapeJavaScript(tt.in); got != tt.want {
				t.Errorf("escapeJavaScript(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestJavaDoubleToString(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{{1, "1.0"}, {249.99, "249.99"}, {0.001, "0.001"}, {0.0001, "1.0E-4"}, {1e7, "1.0E7"}, {9999999, "9999999.0"},
		{12345678.9, "1.23456789E7"}, {-1.5e-10, "-1.5E-10"}, {1e300, "1.0E300"}}
	for _, tt := range tests {
		if got := javaDouble(tt.f); got != tt.want {
			t.Errorf("javaDouble(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, tpl, want string }{
		{"unsupported directive", "ok\n  #macro(foo)x#end", "t:2:3: unsupported directive #macro"},
		{"stray #end", "#end", "t:1:1: unexpected #end"},
		{"#else outside #if", "#foreach($a in [1])#else#end", "t:1:20: unexpected #else"},
		{"#if without #end", "a\n#if(true) x", "t:2:1: #if has no #end"},
		{"#foreach without #end", "#foreach($a in [1])", "t:1:1: #foreach has no #end"},
		{"#if without a condition", "#if you like", "t:1:1: #if needs a condition in parentheses"},
		{"unclosed condition", "#if($a", "t:1:7: unexpected end of template in #if"},
		{"assignment in #if", "#if($a = 1)x#end", `t:1:8: unexpected "= 1)x#end" in #if`},
		{"#set needs =", "#set($a 1)", `t:1:9: unexpected "1)" in #set`},
		{"a negative number after an operand", "#set($a = 5-1)", `t:1:12: unexpected "-1)" in #set`},
		{"expressions are not method arguments", "$a.b($c + 1)", `t:1:9: unexpected "+ 1)" in method arguments`},
		{"a blank argument list", "$a.b( )", `t:1:7: unexpected ")" in expression`},
		{"a blank list", "#set($a = [ ])", `t:1:13: unexpected "])" in expression`},
		{"an index needs a value", "$a[b]", `t:1:4: unexpected "b]" in expression`},
		{"formal reference without }", "${a.b", "t:1:1: reference ${a.b has no closing }"},
		{"unterminated comment", "x #* y", "t:1:3: unterminated #* comment"},
		{"unterminated string", `#set($a = "x)`, "t:1:11: unterminated string literal"},
		{"bad unicode escape", `#set($a = "\u00G1")`, `t:1:11: bad \u escape in string literal`},
		{"foreach needs in", "#foreach($a of $b)#end", "t:1:13: #foreach needs 'in' after $a"},
		{"deep nesting", strings.Repeat("#if(true)", 200), "t:1:896: template nests deeper than 100 levels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t", tt.tpl)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want %q", tt.tpl, tt.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error", err)
			}
			if err.Error() != tt.want {
				t.Errorf("got  %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct{ name, tpl, body, want string }{
		{"json of a body that is not JSON", "x\n $input.json('$.a')", "not json", `t:2:9: $input.json("$.a"): the body is not valid JSON: offset 0: unexpected "not json"`},
		{"a JSONPath filter", "$input.path('$[?(@.a)]')", "[]", `t:1:8: $input.path("$[?(@.a)]"): JSONPath "$[?(@.a)]": filter expressions are not supported`},
		{"an index out of bounds", "#set($l = [1])$l[3]", "", "t:1:17: index 3 out of bounds for length 1"},
		{"a Java method this renderer lacks", `$input.body.strip()`, "", "t:1:13: String.strip is not supported by this renderer"},
		{"a regex with lookahead", `$input.body.replaceAll("a(?=b)", "")`, "", `t:1:13: Java regex "a(?=b)": lookaround and atomic groups are not supported`},
		{"a backreference", `$input.body.matches("(a)\1")`, "", `t:1:13: Java regex "(a)\\1": backreferences are not supported`},
		{"printing a split array", `$input.body.split(",")`, "", "t:1:1: $input.body.split(\",\"): cannot print a Java array (the result of split); index it or iterate it"},
		{"printing $util", `$util`, "", "t:1:1: $util: cannot print $util"},
		{"an invalid status override", `#set($context.responseOverride.status = "abc")`, "", `t:1:1: $context.responseOverride.status is "abc", not an HTTP status code`},
		{"substring out of range", `$input.body.substring(5)`, "", "t:1:13: String.substring: begin 5, end 2, length 2"},
		{"parseJson of invalid JSON", `$util.parseJson("{")`, "", "t:1:7: $util.parseJson: offset 1: expected a string key"},
		{"urlDecode of a bad escape", `$util.urlDecode("%zz")`, "", "t:1:7: $util.urlDecode: incomplete or invalid % escape"},
		{"runaway nested loops", "#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])x#end#end#end", "", "exceeds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, err := Parse("t", tt.tpl)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tp.Render(&Input{Body: []byte(tt.body)})
			if err == nil {
				t.Fatalf("Render succeeded, want %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got  %s\nwant %s", err, tt.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	tests := []struct{ name, tpl, want string }{
		{"known members pass", `$input.body $input.json('$') $input.path('$').a $input.params() $input.params('x') $util.escapeJavaScript($x) ` +
			`$util.base64Decode($x) $context.requestId $context.identity.sourceIp $context.authorizer.claims.sub $context.keySet() ` +
			`#set($context.requestOverride.header.X-Amz-Target = "x")#set($context.responseOverride.status = 400)$stageVariables.anything`, ""},
		{"unknown input member", "x\n $input.bodyy", "t:2:9: $input has no member bodyy"},
		{"input method with the wrong arity", "$input.json()", "t:1:8: $input has no member json(0 arguments)"},
		{"unknown util function", "$util.toJson($x)", "t:1:7: $util has no member toJson(1 arguments)"},
		{"misspelled context variable", `#if($context.requestid == "")#end`, "t:1:14: $context has no variable requestid"},
		{"unknown identity field", `"$context.identity.sourceIP"`, "t:1:20: $context has no variable identity.sourceIP"},
		{"unknown member inside a string literal", `#set($a = "$util.escape($b)")`, "t:1:18: $util has no member escape(1 arguments)"},
		{"printing $input", "$input", "t:1:1: $input cannot be printed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(MustParse("t", tt.tpl), CheckOptions{})
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Check: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Check = %v, want %q", err, tt.want)
			}
		})
	}
	t.Run("extra context variables", func(t *testing.T) {
		if err := Check(MustParse("t", "$context.customDomain.basePathMatched"), CheckOptions{ExtraContext: []string{"customDomain.basePathMatched"}}); err != nil {
			t.Error(err)
		}
	})
}

func TestOverridesFlowFromRequestToResponseTemplate(t *testing.T) {
	req := MustParse("req", "#set($context.requestOverride.path.body = $util.base64Decode($input.params('p')))\n#set($context.responseOverride.status = 444)\n#set($context.responseOverride.header.foo = \"bar\")\n{\"statusCode\": 200}")
	out, err := req.Render(&Input{PathParams: map[string]string{"p": "eyJtZXNzYWdlIjoicGF0aDEifQ=="}})
	if err != nil {
		t.Fatal(err)
	}
	resp := MustParse("resp", "#set($body = $util.parseJson($context.requestOverride.path.body))\n#if($body.message == \"path1\")one#else other#end $context.responseOverride.status $context.responseOverride.header.foo")
	got, err := resp.Render(&Input{Overrides: &out.Overrides})
	if err != nil {
		t.Fatal(err)
	}
	if want := "one 444 bar"; got.Body != want {
		t.Errorf("got %q, want %q", got.Body, want)
	}
	if got.ResponseStatus != 444 || got.ResponseHeader["foo"][0] != "bar" {
		t.Errorf("overrides = %+v", got.Overrides)
	}
}
