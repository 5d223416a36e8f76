package kpi

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// ChartPNG draws the exceptions-by-class chart as a PNG (for Slack, where
// SVG is not shown): labelled bars with their counts written beside them,
// so the image reads without colour.
func ChartPNG(w io.Writer, r *Report) error {
	const (
		labelW = 190
		barW   = 380
		rowH   = 24
		pad    = 16
	)
	title := fmt.Sprintf("Exceptions by class, %s to %s (%d opened, %d resolved, touchless %s)",
		r.Since.Format("Jan 2"), r.Until.Format("Jan 2"), r.Opened, r.Resolved, pct(r.TouchlessRate))
	rows := max(1, len(r.ByClass))
	width := max(labelW+barW+80+pad, len(title)*7+2*pad)
	height := pad*3 + 14 + rows*rowH
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	ink := color.RGBA{0x1a, 0x1a, 0x1a, 0xff}
	bar := color.RGBA{0x1d, 0x3f, 0x72, 0xff}
	text := func(x, y int, s string) {
		d := font.Drawer{Dst: img, Src: image.NewUniform(ink), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
		d.DrawString(s)
	}
	text(pad, pad+10, title)
	maxV := 0
	for _, c := range r.ByClass {
		maxV = max(maxV, c.Count)
	}
	y := pad*2 + 14
	if len(r.ByClass) == 0 {
		text(pad, y+14, "No exceptions in this window.")
	}
	for _, c := range r.ByClass {
		label := c.Key
		if len(label) > 26 {
			label = label[:26]
		}
		text(labelW-7*len(label)-6, y+15, label)
		w := 1
		if maxV > 0 {
			w = max(1, c.Count*barW/maxV)
		}
		draw.Draw(img, image.Rect(labelW, y+4, labelW+w, y+rowH-4), image.NewUniform(bar), image.Point{}, draw.Src)
		text(labelW+w+6, y+15, fmt.Sprint(c.Count))
		y += rowH
	}
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("kpi: encoding PNG: %w", err)
	}
	return nil
}
