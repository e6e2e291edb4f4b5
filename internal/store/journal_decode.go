package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// decodeRow decodes a row of the change journal: a JSON object of the
// row's columns, as encoding/json decodes it with UseNumber (strings,
// json.Number, booleans and nil). The journal's rows are flat objects of
// scalars, which decodeFlat reads without the reflection of encoding/json;
// anything else is left to encoding/json.
func decodeRow(b []byte) (map[string]any, error) {
	if b == nil {
		return nil, nil
	}
	if m, ok := decodeFlat(b); ok {
		return m, nil
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("change journal: %w", err)
	}
	return m, nil
}

// decodeFlat decodes a JSON object whose values are all strings, numbers,
// booleans or null, as encoding/json would with UseNumber. It reports
// false, for encoding/json to decide, on anything else: a nested value, a
// malformed document, a repeated key, or a string that is not plain valid
// UTF-8 (escapes are read by encoding/json, one string at a time).
func decodeFlat(b []byte) (map[string]any, bool) {
	p := flatParser{b: b}
	p.space()
	if !p.byte('{') {
		return nil, false
	}
	m := make(map[string]any, bytes.Count(b, []byte{':'}))
	p.space()
	if p.byte('}') {
		return m, p.end()
	}
	for {
		p.space()
		key, ok := p.str()
		if !ok {
			return nil, false
		}
		p.space()
		if !p.byte(':') {
			return nil, false
		}
		p.space()
		v, ok := p.value()
		if !ok {
			return nil, false
		}
		if _, dup := m[key]; dup {
			return nil, false
		}
		m[key] = v
		p.space()
		if p.byte(',') {
			continue
		}
		if p.byte('}') {
			return m, p.end()
		}
		return nil, false
	}
}

// flatParser reads a flat JSON object from b at i.
type flatParser struct {
	b []byte
	i int
}

func (p *flatParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// byte consumes c when it comes next.
func (p *flatParser) byte(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// end reports whether only white space follows.
func (p *flatParser) end() bool {
	p.space()
	return p.i == len(p.b)
}

// str reads a string.
func (p *flatParser) str() (string, bool) {
	if !p.byte('"') {
		return "", false
	}
	start := p.i
	plain := true
	for p.i < len(p.b) {
		switch c := p.b[p.i]; {
		case c == '"':
			raw := p.b[start:p.i]
			p.i++
			if plain && utf8.Valid(raw) {
				return string(raw), true
			}
			var s string
			if err := json.Unmarshal(p.b[start-1:p.i], &s); err != nil {
				return "", false
			}
			return s, true
		case c == '\\':
			plain = false
			p.i += 2
		case c < 0x20:
			return "", false
		default:
			p.i++
		}
	}
	return "", false
}

// value reads a string, number, boolean or null.
func (p *flatParser) value() (any, bool) {
	if p.i >= len(p.b) {
		return nil, false
	}
	switch c := p.b[p.i]; {
	case c == '"':
		return p.str()
	case c == 't':
		return true, p.word("true")
	case c == 'f':
		return false, p.word("false")
	case c == 'n':
		return nil, p.word("null")
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.i
		for p.i < len(p.b) {
			c := p.b[p.i]
			if (c < '0' || c > '9') && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E' {
				break
			}
			p.i++
		}
		n := string(p.b[start:p.i])
		return json.Number(n), validNumber(n)
	}
	return nil, false
}

// word consumes the literal w.
func (p *flatParser) word(w string) bool {
	if bytes.HasPrefix(p.b[p.i:], []byte(w)) {
		p.i += len(w)
		return true
	}
	return false
}

// validNumber reports whether s is a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func validNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}
