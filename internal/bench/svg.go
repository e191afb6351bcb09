package bench

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// A small SVG line chart writer for the HTML report: axes with labelled ticks and units,
// several series, vertical markers. Inline SVG keeps the report one self-contained file.

type point struct{ x, y float64 }

type series struct {
	name   string
	color  string
	dash   string // stroke-dasharray, "" for solid
	points []point
	dots   bool // mark each point
}

type marker struct {
	x     float64
	label string
	color string
}

type tick struct {
	v     float64
	label string
}

type chart struct {
	title          string
	width, height  int
	xLabel, yLabel string
	xMin, xMax     float64
	yMin, yMax     float64
	xTicks, yTicks []tick
	series         []series
	markers        []marker
	note           string // under the title, small
	id             string // unique in the page, for the clip path
}

const (
	padLeft   = 64
	padRight  = 16
	padTop    = 44
	padBottom = 68
)

func (c *chart) px(x float64) float64 {
	w := float64(c.width - padLeft - padRight)
	if c.xMax == c.xMin {
		return padLeft
	}
	return padLeft + (x-c.xMin)/(c.xMax-c.xMin)*w
}

func (c *chart) bottom() float64 { return float64(c.height - padBottom - (legendRows(c)-1)*legendRow) }

func (c *chart) py(y float64) float64 {
	h := c.bottom() - padTop
	if c.yMax == c.yMin {
		return c.bottom()
	}
	return c.bottom() - (y-c.yMin)/(c.yMax-c.yMin)*h
}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// svg renders the chart.
func (c *chart) svg() template.HTML {
	var b strings.Builder
	esc := html.EscapeString
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" class="chart">`,
		c.width, c.height, c.width, c.height, esc(c.title))
	fmt.Fprintf(&b, `<text x="%d" y="18" class="title">%s</text>`, padLeft, esc(c.title))
	if c.note != "" {
		fmt.Fprintf(&b, `<text x="%d" y="34" class="note">%s</text>`, padLeft, esc(c.note))
	}
	x0, x1 := c.px(c.xMin), c.px(c.xMax)
	y0, y1 := c.py(c.yMin), c.py(c.yMax)
	// Grid and ticks.
	for _, t := range c.yTicks {
		y := c.py(t.v)
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" class="grid"/>`, f1(x0), f1(y), f1(x1), f1(y))
		fmt.Fprintf(&b, `<text x="%s" y="%s" class="ytick">%s</text>`, f1(x0-6), f1(y+4), esc(t.label))
	}
	for _, t := range c.xTicks {
		x := c.px(t.v)
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" class="grid"/>`, f1(x), f1(y0), f1(x), f1(y1))
		fmt.Fprintf(&b, `<text x="%s" y="%s" class="xtick">%s</text>`, f1(x), f1(y0+16), esc(t.label))
	}
	fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" class="axis"/>`, f1(x0), f1(y0), f1(x1), f1(y0))
	fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" class="axis"/>`, f1(x0), f1(y0), f1(x0), f1(y1))
	// Axis labels.
	fmt.Fprintf(&b, `<text x="%s" y="%s" class="xlabel">%s</text>`, f1((x0+x1)/2), f1(y0+38), esc(c.xLabel))
	fmt.Fprintf(&b, `<text transform="translate(14 %s) rotate(-90)" class="ylabel">%s</text>`, f1((y0+y1)/2), esc(c.yLabel))
	// Markers.
	for _, m := range c.markers {
		if m.x < c.xMin || m.x > c.xMax {
			continue
		}
		x := c.px(m.x)
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" class="marker"/>`, f1(x), f1(y0), f1(x), f1(y1), m.color)
		fmt.Fprintf(&b, `<text x="%s" y="%s" class="mlabel" fill="%s">%s</text>`, f1(x+4), f1(y1+12), m.color, esc(m.label))
	}
	// Series, clipped to the plot area.
	clip := "clip-" + c.id
	fmt.Fprintf(&b, `<clipPath id="%s"><rect x="%s" y="%s" width="%s" height="%s"/></clipPath>`, clip, f1(x0), f1(y1-2), f1(x1-x0+2), f1(y0-y1+4))
	for _, s := range c.series {
		if len(s.points) == 0 {
			continue
		}
		var d strings.Builder
		for i, p := range s.points {
			cmd := "L"
			if i == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&d, "%s%s %s ", cmd, f1(c.px(p.x)), f1(c.py(math.Min(p.y, c.yMax*1.02))))
		}
		dash := ""
		if s.dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, s.dash)
		}
		fmt.Fprintf(&b, `<path d="%s" stroke="%s" fill="none" stroke-width="2"%s clip-path="url(#%s)"><title>%s</title></path>`, strings.TrimSpace(d.String()), s.color, dash, clip, esc(s.name))
		if s.dots {
			for _, p := range s.points {
				fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="2.5" fill="%s"/>`, f1(c.px(p.x)), f1(c.py(p.y)), s.color)
			}
		}
	}
	// Legend, under the x label, in as many rows as it takes.
	lx, ly := float64(padLeft), float64(c.height-legendRows(c)*legendRow+legendRow-8)
	for _, s := range c.series {
		w := legendWidth(s.name)
		if lx+w > float64(c.width-padRight) && lx > padLeft {
			lx, ly = padLeft, ly+legendRow
		}
		dash := ""
		if s.dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, s.dash)
		}
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="3"%s/>`, f1(lx), f1(ly-4), f1(lx+22), f1(ly-4), s.color, dash)
		fmt.Fprintf(&b, `<text x="%s" y="%s" class="legend">%s</text>`, f1(lx+27), f1(ly), esc(s.name))
		lx += w
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

const legendRow = 16

func legendWidth(name string) float64 { return 44 + 6.8*float64(len([]rune(name))) }

// legendRows is how many rows the legend takes.
func legendRows(c *chart) int {
	rows, x := 1, float64(padLeft)
	for _, s := range c.series {
		w := legendWidth(s.name)
		if x+w > float64(c.width-padRight) && x > padLeft {
			rows, x = rows+1, padLeft
		}
		x += w
	}
	return rows
}

// niceTicks returns about n round tick values from lo to at least hi, and the new top.
func niceTicks(lo, hi float64, n int) ([]float64, float64) {
	if hi <= lo {
		hi = lo + 1
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	top := math.Ceil(hi/step-1e-9) * step
	var out []float64
	for v := lo; v <= top+step/1e6; v += step {
		out = append(out, math.Round(v/step)*step)
	}
	return out, top
}

// formatTick prints a tick value without trailing zeros.
func formatTick(v float64) string {
	s := strconv.FormatFloat(v, 'f', 3, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}

func linearTicks(lo, hi float64, n int, unit string) ([]tick, float64) {
	vs, top := niceTicks(lo, hi, n)
	out := make([]tick, len(vs))
	for i, v := range vs {
		out[i] = tick{v, formatTick(v) + unit}
	}
	return out, top
}

// percentileX maps a percentile to the x of an HdrHistogram percentile plot: the number of
// nines, log10(1/(1−p)), so 90 % is 1, 99 % is 2, 99.9 % is 3.
func percentileX(p, xMax float64) float64 {
	if p >= 100 {
		return xMax
	}
	return math.Min(xMax, math.Log10(100/(100-p)))
}

func percentileTicks(xMax float64) []tick {
	labels := []string{"0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%"}
	var out []tick
	for i := 0; i <= int(xMax) && i < len(labels); i++ {
		out = append(out, tick{float64(i), labels[i]})
	}
	return out
}
