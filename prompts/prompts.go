package prompts

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"text/template"
)

// Current is the prompt version the LLM planner uses by default.
const Current = "v1"

//go:embed v*/*.tmpl
var files embed.FS

// ErrUnknownVersion is wrapped when a prompt version does not exist.
var ErrUnknownVersion = errors.New("unknown prompt version")

// Template names inside a version.
const (
	System = "system.tmpl"
	User   = "user.tmpl"
	Nudge  = "nudge.tmpl"
)

// Versions lists the embedded prompt versions, sorted.
func Versions() []string {
	entries, _ := fs.ReadDir(files, ".")
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out
}

// Set is the parsed templates of one version. It is safe for concurrent use.
type Set struct {
	version string
	tmpl    *template.Template
}

// Load parses the templates of a version.
func Load(version string) (*Set, error) {
	if !slices.Contains(Versions(), version) {
		return nil, fmt.Errorf("%w %q (have %v)", ErrUnknownVersion, version, Versions())
	}
	t, err := template.New(version).Option("missingkey=error").ParseFS(files, version+"/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("prompts %s: %w", version, err)
	}
	return &Set{version: version, tmpl: t}, nil
}

// Version returns the set's version.
func (s *Set) Version() string { return s.version }

// Execute renders the named template (System, User, Nudge) with data.
func (s *Set) Execute(name string, data any) (string, error) {
	var b bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("prompts %s/%s: %w", s.version, name, err)
	}
	return b.String(), nil
}

// Render renders the system prompt of a version with data.
func Render(version string, data any) (string, error) {
	s, err := Load(version)
	if err != nil {
		return "", err
	}
	return s.Execute(System, data)
}
