// Package vtl parses and renders the subset of the Velocity Template
// Language (VTL) that Amazon API Gateway REST APIs accept in mapping
// templates, and renders it the way API Gateway does.
//
// Two callers use it:
//
//   - the local runner (internal/localapi) parses every request and response
//     template of the synthesized REST API once at start-up and renders one
//     per request, reading the rendered body and the
//     $context.requestOverride / $context.responseOverride values back from
//     [Output];
//   - synth-time checks (test/ and the route table) call [Check] to reject
//     templates that use $input, $util or $context members API Gateway does
//     not define, and [RenderJSON] to prove that a template meant to produce
//     JSON does so for a sample request.
//
// # Engine semantics
//
// AWS does not publish which Velocity it runs; it behaves as Apache
// Velocity 1.7 (hyphens are legal in identifiers, as
// `$context.requestOverride.header.X-Amz-Target` needs, which Velocity 2
// refuses by default; $foreach.hasNext exists, which 1.6 lacks), so the
// lexer follows the 1.7 grammar (src/parser/Parser.jjt at tag 1.7) and
// $velocityCount/$velocityHasNext exist beside $foreach:
//
//   - A directive's closing parenthesis, #else and #end swallow trailing
//     spaces/tabs when they are followed by a newline, and that newline.
//     Text before a directive is kept, so indentation before #if/#foreach/
//     #end stays in the output. #set alone also swallows the spaces and tabs
//     before it, but only when they start a token (after another directive,
//     a reference or a comment), never indentation that follows text on the
//     same line or a plain newline.
//   - ## comments swallow their newline; #* *# comments swallow nothing.
//   - Method arguments, map values and list elements are literals or
//     references, not expressions (`$a.b($c + 1)` is a parse error), and
//     `-1` is a number token, so `5-1` does not parse.
//   - #if treats null and false as false and every other reference value as
//     true (including ""), while a literal that is not true/false or a
//     comparison (`#if("x")`, `#if(1)`) is false.
//   - #set with a null right-hand side leaves the variable unchanged
//     (directive.set.null.allowed=false).
//   - #foreach stops after 1000 iterations (API Gateway quota "Number of
//     iterations in a #foreach ... #end loop": 1000; Velocity's maxloops
//     ends the loop without an error).
//
// API Gateway changes plain Velocity in ways recorded against AWS by
// LocalStack's snapshot tests (tests/aws/services/apigateway/
// test_apigateway_common.py, test_input_path_template_formatting and
// test_input_body_formatting):
//
//   - a reference that resolves to null renders as empty text, with or
//     without `$!` (plain Velocity prints the literal `$foo`);
//   - null compares equal to "" with == (`#if($missing == "")` is true);
//   - an object from $input.path prints like Java's Map.toString,
//     `{k=v, k2=v2}` in document order, while a list prints as compact JSON,
//     `[{"foo":"bar"}]`;
//   - an empty body is `{}` for $input.body, $input.json('$') and
//     $input.path('$');
//   - nested $context objects (identity, requestOverride, ...) print as
//     empty text, and $context, $input.params() and $stageVariables iterate
//     in java.util.HashMap order.
//
// $util.escapeJavaScript is Apache Commons Lang 2.6
// StringEscapeUtils.escapeJavaScript: it escapes ' (as the AWS reference
// warns, `\'` is not valid JSON), ", \, / and control characters, and
// writes every character above 0x7f as \uXXXX. $util.urlEncode is
// java.net.URLEncoder (form encoding: space becomes +).
//
// Anything outside the supported subset fails with an [*Error] that names
// the template, line and column: unsupported directives (#macro, #define,
// #parse, #include, #evaluate, #literal) at parse time; Java methods that
// exist but are not implemented, Java regular expressions RE2 cannot run
// the same way (lookaround, backreferences, possessive quantifiers, $ on
// text with line terminators, replaceAll/split with a pattern matching the
// empty string), JSONPath filters, and non-JSON bodies given to
// $input.json/$input.path at render time. A method Java does not have at
// all yields null and prints empty text, as in API Gateway.
package vtl
