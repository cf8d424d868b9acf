// OneThing patch (test/mongo-server/build.sh adds this file to FerretDB's internal/handler/sjson).
//
// Decoding a stored document with json.Unmarshal into map[string]json.RawMessage reads every byte
// twice (a validating scan, then the decode) and copies every value; each value is then decoded
// again by its own type, which checks it. splitObject finds the members in one pass instead.

package sjson

import "encoding/json"

// decodeObject decodes a JSON object into its members' raw values, as json.Unmarshal does.
// The values are not checked here: the caller decodes each of them by its schema type, which
// does. Anything splitObject does not take (malformed input, keys encoding/json would repair) is
// left to json.Unmarshal, which reports the error as before.
func decodeObject(data []byte, v *map[string]json.RawMessage) error {
	if m, ok := splitObject(data); ok {
		*v = m
		return nil
	}

	return json.Unmarshal(data, v)
}

// splitObject returns the members of the object in data, values as sub-slices of data.
func splitObject(data []byte) (map[string]json.RawMessage, bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return nil, false
	}

	m := map[string]json.RawMessage{}

	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return m, skipSpace(data, i+1) == len(data)
	}

	for {
		if i >= len(data) || data[i] != '"' {
			return nil, false
		}

		end, ok := skipString(data, i)
		if !ok {
			return nil, false
		}

		key, ok := unquoteChecked(data[i:end])
		if !ok {
			return nil, false
		}

		if i = skipSpace(data, end); i >= len(data) || data[i] != ':' {
			return nil, false
		}

		i = skipSpace(data, i+1)

		if end, ok = skipValue(data, i); !ok {
			return nil, false
		}

		m[key] = data[i:end]

		if i = skipSpace(data, end); i >= len(data) {
			return nil, false
		}

		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return m, skipSpace(data, i+1) == len(data)
		default:
			return nil, false
		}
	}
}

// skipSpace returns the index of the first byte at or after i that is not JSON white space.
func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}

	return i
}

// skipString returns the index just after the string literal that starts at data[i] ('"').
func skipString(data []byte, i int) (int, bool) {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}

	return 0, false
}

// skipValue returns the index just after the JSON value that starts at data[i].
func skipValue(data []byte, i int) (int, bool) {
	if i >= len(data) {
		return 0, false
	}

	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				end, ok := skipString(data, j)
				if !ok {
					return 0, false
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1, true
				}
			}
		}

		return 0, false
	default: // a number, true, false or null
		j := i
		for j < len(data) && !isDelimiter(data[j]) {
			j++
		}

		return j, j > i
	}
}

// isDelimiter reports whether c ends a number or literal.
func isDelimiter(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\n', '\r':
		return true
	}

	return false
}
