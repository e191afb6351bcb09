package vtl

import (
	"os"
	"path/filepath"
	"testing"
)

var fuzzSeeds = []string{
	"",
	"$a.b($c, 'd', [1..3], {\"k\": $v})[0]",
	"#set($x = \"#if($y)a#{else}b#end\")$x",
	"#foreach($i in [1..5])$i#if($foreach.hasNext),#end#end",
	"#macro(x)#end",
	"\\\\#if(true)\\$x#end ## c\n#* b *# #[[ r ]]#",
	"$input.json('$..a[0:2]') $input.path('x.y[*]') $util.base64Decode('=') $input.params().header.keySet()",
	"#set($s = 'aaaa')#foreach($i in [1..100])#set($s = \"$s$s\")#end",
	"$s.replaceAll('(\\w+)@(x)', '$2-$1').split('[,;]', -1)",
}

func addSeeds(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.vtl"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(string(b))
		}
	}
}

// FuzzVTL parses arbitrary text: it must not panic or hang, and what
// parses must survive Check.
func FuzzVTL(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, text string) {
		tp, err := Parse("fuzz", text)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T is not *Error: %v", err, err)
			}
			return
		}
		_ = Check(tp, CheckOptions{})
	})
}

// FuzzRender renders parsed fuzz templates against a fixed request: it
// must not panic, and errors must be located.
func FuzzRender(f *testing.F) {
	addSeeds(f)
	// Smaller budgets keep each input fast; the code paths are the same.
	maxSteps, maxOutput, maxRange = 200_000, 1<<20, 10_000
	in := &Input{
		Body:           []byte(`{"a":[1,{"b":"c"},2.5,null,true],"s":"Hello, it's /x/ é😀","n":-7,"o":{"k":{"k":[]}}}`),
		PathParams:     map[string]string{"id": "p"},
		Query:          map[string][]string{"q": {"1", "2"}},
		Headers:        map[string][]string{"Content-Type": {"application/json"}},
		Context:        map[string]any{"requestId": "r", "identity": map[string]any{"sourceIp": "127.0.0.1"}},
		StageVariables: map[string]string{"env": "dev"},
	}
	f.Fuzz(func(t *testing.T, text string) {
		tp, err := Parse("fuzz", text)
		if err != nil {
			return
		}
		if _, err := tp.Render(in); err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("render error %T is not *Error: %v", err, err)
			}
		}
	})
}
