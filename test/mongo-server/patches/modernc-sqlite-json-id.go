// OneThing patch (test/mongo-server/build.sh adds this file to modernc.org/sqlite v1.32.0's lib
// package, and modernc-sqlite-json-id.diff calls it first thing in _jsonExtractFunc).
//
// FerretDB's SQLite tables index every document by the expression `_ferretdb_sjson->'_id'`, and
// its lookups, updates and deletes by _id use that expression, so SQLite evaluates it for every
// row it writes (the new row, and the old row of an update). For a text argument, `->` turns the
// whole document into JSONB first: ~12% of the test server's CPU in the fan-out benchmark, for a
// key that comes in the first few hundred bytes (after the `$s` schema) of documents up to tens of
// kilobytes. jsonExtractIDFast reads the key from the text instead, when the answer is plainly
// what the full parse would give: a top-level object whose members up to "_id" are well formed,
// whose keys before it have no escapes, and whose "_id" is a string without escapes or control
// characters — `->` then returns that string's text, quotes included, with the JSON subtype,
// exactly as here. Anything else (another path, operator or argument type, an escape, a number or
// an object id, something unexpected) goes to the full parse as before. The members after "_id"
// are not read, so text that is malformed only after the key is not reported as malformed JSON;
// FerretDB writes these documents itself (sjson.Marshal through encoding/json), always valid.

package sqlite3

import (
	"unsafe"

	"modernc.org/libc"
)

// maxFastDepth bounds the nesting the scanner follows before "_id"; deeper goes to the full parse.
const maxFastDepth = 64

// jsonExtractIDFast answers `->`(text, '_id' or '$._id') from the text when it can (see above);
// false means it set no result and the caller parses as before.
func jsonExtractIDFast(tls *libc.TLS, ctx uintptr, argc int32, argv uintptr) bool {
	if argc != 2 || int32(int64(Xsqlite3_user_data(tls, ctx))) != JSON_JSON {
		return false // not the -> operator
	}

	doc := *(*uintptr)(unsafe.Pointer(argv))
	path := *(*uintptr)(unsafe.Pointer(argv + 8))

	if Xsqlite3_value_type(tls, doc) != SQLITE_TEXT || Xsqlite3_value_type(tls, path) != SQLITE_TEXT {
		return false
	}

	pathText := cBytes(Xsqlite3_value_text(tls, path), Xsqlite3_value_bytes(tls, path))
	if string(pathText) != "_id" && string(pathText) != "$._id" {
		return false
	}

	z := Xsqlite3_value_text(tls, doc)
	if z == 0 {
		return false
	}

	start, end, ok := findTopLevelStringID(cBytes(z, Xsqlite3_value_bytes(tls, doc)))
	if !ok {
		return false
	}

	Xsqlite3_result_text(tls, ctx, z+uintptr(start), int32(end-start), ^uintptr(0)) // SQLITE_TRANSIENT: copied
	Xsqlite3_result_subtype(tls, ctx, uint32(JSON_SUBTYPE))

	return true
}

func cBytes(p uintptr, n int32) []byte {
	if p == 0 || n <= 0 {
		return nil
	}

	return unsafe.Slice((*byte)(unsafe.Pointer(p)), n)
}

// findTopLevelStringID returns the bounds (quotes included) of the first top-level "_id" member's
// value in the object s, when that value is a string without escapes or control characters and
// everything before it is plainly well formed; ok is false otherwise.
func findTopLevelStringID(s []byte) (start, end int, ok bool) {
	i := skipSpace(s, 0)
	if i >= len(s) || s[i] != '{' {
		return 0, 0, false
	}

	i++

	for {
		i = skipSpace(s, i)

		keyStart := i
		keyEnd, plain := scanString(s, i)
		if keyEnd < 0 || !plain {
			return 0, 0, false
		}

		i = skipSpace(s, keyEnd)
		if i >= len(s) || s[i] != ':' {
			return 0, 0, false
		}

		i = skipSpace(s, i+1)

		if string(s[keyStart:keyEnd]) == `"_id"` {
			valueEnd, plainValue := scanString(s, i)
			if valueEnd < 0 || !plainValue {
				return 0, 0, false
			}

			// The member must end there, as in well-formed JSON.
			if after := skipSpace(s, valueEnd); after >= len(s) || (s[after] != ',' && s[after] != '}') {
				return 0, 0, false
			}

			return i, valueEnd, true
		}

		if i = skipValue(s, i, 0); i < 0 {
			return 0, 0, false
		}

		i = skipSpace(s, i)
		if i >= len(s) || s[i] != ',' {
			return 0, 0, false // the object ends (or breaks) before any "_id"
		}

		i++
	}
}

func skipSpace(s []byte, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}

	return i
}

// scanString returns the index after the string starting at s[i] (-1 if there is none or it is
// cut short or holds a control character), and whether it has no escapes.
func scanString(s []byte, i int) (int, bool) {
	if i >= len(s) || s[i] != '"' {
		return -1, false
	}

	plain := true

	for i++; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return i + 1, plain
		case c == '\\':
			plain = false
			i++ // the escaped character; a bad escape is left to the full parse via plain == false
		case c < 0x20:
			return -1, false
		}
	}

	return -1, false
}

// skipValue returns the index after the JSON value starting at s[i], or -1 when it is not plainly
// well formed (the caller then falls back to the full parse).
func skipValue(s []byte, i, depth int) int {
	if i >= len(s) || depth > maxFastDepth {
		return -1
	}

	switch c := s[i]; {
	case c == '"':
		if end, plain := scanString(s, i); plain {
			return end
		}

		return -1 // an escape: left to the full parse, which knows which ones are valid
	case c == '{' || c == '[':
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}

		i = skipSpace(s, i+1)
		if i < len(s) && s[i] == closing {
			return i + 1
		}

		for {
			if c == '{' {
				end, plain := scanString(s, i)
				if end < 0 || !plain {
					return -1
				}

				i = skipSpace(s, end)
				if i >= len(s) || s[i] != ':' {
					return -1
				}

				i = skipSpace(s, i+1)
			}

			if i = skipValue(s, i, depth+1); i < 0 {
				return -1
			}

			i = skipSpace(s, i)
			if i >= len(s) {
				return -1
			}

			if s[i] == closing {
				return i + 1
			}

			if s[i] != ',' {
				return -1
			}

			i = skipSpace(s, i+1)
		}
	case c == '-' || (c >= '0' && c <= '9'):
		return skipNumber(s, i)
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if len(s)-i >= len(lit) && string(s[i:i+len(lit)]) == lit {
				return i + len(lit)
			}
		}

		return -1
	}
}

// skipNumber returns the index after the JSON number at s[i] (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?),
// or -1 if there is none.
func skipNumber(s []byte, i int) int {
	digits := func(i int) (int, bool) {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}

		return i, i > start
	}

	if i < len(s) && s[i] == '-' {
		i++
	}

	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i, _ = digits(i)
	default:
		return -1
	}

	var ok bool
	if i < len(s) && s[i] == '.' {
		if i, ok = digits(i + 1); !ok {
			return -1
		}
	}

	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}

		if i, ok = digits(i); !ok {
			return -1
		}
	}

	return i
}
