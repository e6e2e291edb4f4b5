package api

import (
	"bytes"
	"encoding/json"
	"strconv"
	"sync"
)

// encoder writes a whole answer into one buffer in one pass: objects and
// lists are written directly, and the values inside them once, instead of
// each level encoding its children into bytes of their own for the level
// above to copy and check again. The output is what encoding/json writes
// with HTML escaping off.
type encoder struct {
	b   bytes.Buffer
	enc *json.Encoder
}

var encoders = sync.Pool{New: func() any {
	e := &encoder{}
	e.enc = json.NewEncoder(&e.b)
	e.enc.SetEscapeHTML(false)
	return e
}}

// encodeJSON returns the JSON encoding of v.
func encodeJSON(v any) ([]byte, error) {
	e := encoders.Get().(*encoder)
	defer func() {
		if e.b.Cap() <= 1<<20 {
			e.b.Reset()
			encoders.Put(e)
		}
	}()
	if err := e.value(v); err != nil {
		return nil, err
	}
	return bytes.Clone(e.b.Bytes()), nil
}

func (e *encoder) value(v any) error {
	switch v := v.(type) {
	case object:
		return e.object(v)
	case []object:
		if v == nil {
			e.b.WriteString("null")
			return nil
		}
		e.b.WriteByte('[')
		for i, o := range v {
			if i > 0 {
				e.b.WriteByte(',')
			}
			if err := e.object(o); err != nil {
				return err
			}
		}
		e.b.WriteByte(']')
		return nil
	case []any:
		if v == nil {
			e.b.WriteString("null")
			return nil
		}
		e.b.WriteByte('[')
		for i, x := range v {
			if i > 0 {
				e.b.WriteByte(',')
			}
			if err := e.value(x); err != nil {
				return err
			}
		}
		e.b.WriteByte(']')
		return nil
	case nil:
		e.b.WriteString("null")
		return nil
	case bool:
		e.b.WriteString(strconv.FormatBool(v))
		return nil
	case int:
		e.b.WriteString(strconv.Itoa(v))
		return nil
	case int64:
		e.b.WriteString(strconv.FormatInt(v, 10))
		return nil
	case string:
		if plainString(v) {
			e.b.WriteByte('"')
			e.b.WriteString(v)
			e.b.WriteByte('"')
			return nil
		}
	}
	// Everything else, and strings that need escapes, as encoding/json
	// writes them.
	if err := e.enc.Encode(v); err != nil {
		return err
	}
	e.b.Truncate(e.b.Len() - 1) // the newline Encode ends with
	return nil
}

func (e *encoder) object(o object) error {
	e.b.WriteByte('{')
	for i, kv := range o {
		if i > 0 {
			e.b.WriteByte(',')
		}
		if plainKey(kv.k) {
			e.b.WriteByte('"')
			e.b.WriteString(kv.k)
			e.b.WriteByte('"')
		} else {
			k, _ := json.Marshal(kv.k)
			e.b.Write(k)
		}
		e.b.WriteByte(':')
		if err := e.value(kv.v); err != nil {
			return err
		}
	}
	e.b.WriteByte('}')
	return nil
}

// plainString reports whether encoding/json writes s (HTML escaping off)
// as s between quotes: printable ASCII without quote or backslash.
func plainString(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// plainKey reports whether json.Marshal, which escapes HTML, writes the
// key s as s between quotes.
func plainKey(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return plainString(s)
}
