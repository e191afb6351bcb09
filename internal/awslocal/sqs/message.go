package sqs

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"firstclass/internal/awslocal/awsproto"
)

// MessageAttribute is an SQS message (or message system) attribute value.
type MessageAttribute struct {
	DataType    string
	StringValue string
	BinaryValue []byte
}

func (a MessageAttribute) isBinary() bool { return strings.HasPrefix(a.DataType, "Binary") }

// md5Hex is the MD5OfMessageBody SQS returns: the digest of the body's UTF-8
// bytes, hex encoded.
func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// md5OfAttributes is the MD5OfMessageAttributes (and
// MD5OfMessageSystemAttributes) digest as SQS documents it ("Calculating the
// MD5 message digest for message attributes", SQS Developer Guide): for each
// attribute in ascending order of name, the name, the data type and the
// value, each as a 4-byte big-endian length and the bytes, with a one-byte
// transport type (1 for String and Number, 2 for Binary) before the value.
func md5OfAttributes(attrs map[string]MessageAttribute) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	h := md5.New()
	var lenBuf [4]byte
	put := func(b []byte) {
		binary.BigEndian.PutUint32(lenBuf[:], uint32(len(b)))
		h.Write(lenBuf[:])
		h.Write(b)
	}
	for _, n := range names {
		a := attrs[n]
		put([]byte(n))
		put([]byte(a.DataType))
		if a.isBinary() {
			h.Write([]byte{2})
			put(a.BinaryValue)
		} else {
			h.Write([]byte{1})
			put([]byte(a.StringValue))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// validMessageText reports whether s holds only the characters SQS accepts:
// #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
func validMessageText(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return false
		}
		if (r >= 0xD800 && r <= 0xDFFF) || r == 0xFFFE || r == 0xFFFF {
			return false
		}
		i += n
	}
	return true
}

func attributesSize(attrs map[string]MessageAttribute) int {
	n := 0
	for name, a := range attrs {
		n += len(name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	return n
}

func validAttributeName(name string) bool {
	if name == "" || len(name) > 256 || name[0] == '.' || name[len(name)-1] == '.' || strings.Contains(name, "..") {
		return false
	}
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			// SQS also accepts non-ASCII letters; reject only ASCII punctuation.
			if c < utf8.RuneSelf {
				return false
			}
		}
	}
	return true
}

// validateMessageAttributes checks user attributes the way SendMessage does.
func validateMessageAttributes(attrs map[string]MessageAttribute, kind string) *awsproto.Error {
	if len(attrs) > 10 {
		return errInvalidParameterValue("Number of message attributes [%d] exceeds the allowed maximum [10].", len(attrs))
	}
	for name, a := range attrs {
		if !validAttributeName(name) {
			return errInvalidParameterValue("Message (%s) attribute name '%s' is invalid. Attribute name can contain A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters.", kind, name)
		}
		base, custom, _ := strings.Cut(a.DataType, ".")
		if len(a.DataType) > 256 || (base != "String" && base != "Number" && base != "Binary") || (strings.Contains(a.DataType, ".") && custom == "") {
			if a.DataType == "" {
				return errInvalidParameterValue("The message (%s) attribute '%s' must contain a non-empty message attribute type.", kind, name)
			}
			return errInvalidParameterValue("The type of message (%s) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", kind, name)
		}
		switch base {
		case "Binary":
			if len(a.BinaryValue) == 0 {
				return errInvalidParameterValue("Message (%s) attribute '%s' must contain a non-empty value of type 'Binary'.", kind, name)
			}
		default:
			if a.StringValue == "" {
				return errInvalidParameterValue("Message (%s) attribute '%s' must contain a non-empty value of type '%s'.", kind, name, base)
			}
			if !validMessageText(a.StringValue) {
				return errInvalidParameterValue("Message (%s) attribute '%s' value contains invalid characters.", kind, name)
			}
			if base == "Number" {
				if _, err := strconv.ParseFloat(strings.TrimSpace(a.StringValue), 64); err != nil {
					return errInvalidParameterValue("Can't cast the value of message (%s) attribute '%s' to a number.", kind, name)
				}
			}
		}
	}
	return nil
}

func validateSystemAttributes(attrs map[string]MessageAttribute) *awsproto.Error {
	for name := range attrs {
		if name != "AWSTraceHeader" {
			return errInvalidParameterValue("Message system attribute name '%s' is invalid.", name)
		}
	}
	if a, ok := attrs["AWSTraceHeader"]; ok {
		if a.DataType != "String" {
			return errInvalidParameterValue("Message system attribute 'AWSTraceHeader' must be of type 'String'.")
		}
		if a.StringValue == "" {
			return errInvalidParameterValue("Message (system) attribute 'AWSTraceHeader' must contain a non-empty value of type 'String'.")
		}
	}
	return nil
}

// validFIFOID reports whether a MessageGroupId or MessageDeduplicationId is
// 1 to 128 alphanumeric or punctuation characters.
func validFIFOID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func validBatchEntryID(id string) bool {
	if id == "" || len(id) > 80 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func validQueueName(name string, fifo bool) bool {
	base := name
	if fifo {
		if !strings.HasSuffix(name, ".fifo") {
			return false
		}
		base = strings.TrimSuffix(name, ".fifo")
	}
	if base == "" || len(name) > 80 {
		return false
	}
	for i := 0; i < len(base); i++ {
		c := base[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// attributeNameWanted reports whether a message attribute name is selected
// by ReceiveMessage's MessageAttributeNames ("All", ".*", "prefix.*", names).
func attributeNameWanted(sel []string, name string) bool {
	for _, s := range sel {
		switch {
		case s == "All" || s == ".*":
			return true
		case strings.HasSuffix(s, ".*"):
			if strings.HasPrefix(name, strings.TrimSuffix(s, "*")) {
				return true
			}
		case s == name:
			return true
		}
	}
	return false
}
