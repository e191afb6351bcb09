package store

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// Recovery: what Open replays, and what it reports. The log's records are numbered and
// checksummed (store.go); replay checks, file by file and line by line, that the numbers
// follow each other from the snapshot's nextSeq and that each record's checksum holds. What
// fails is dropped and said, with where it was and why: a log file missing from the
// sequence, records missing between two lines (a file truncated, lines removed), a record
// that does not decode or fails its checksum, a record that cannot be applied to the state
// before it. The only record dropped in the normal course is a torn last line: the process
// died while writing it, before the fsync its caller waited for, so nobody was told it was
// stored; it gets a line too.

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// checksum is a record's CRC-32C over its op, a zero byte and its data as written.
func checksum(op string, data []byte) uint32 {
	c := crc32.Update(0, castagnoli, []byte(op))
	c = crc32.Update(c, castagnoli, []byte{0})
	return crc32.Update(c, castagnoli, data)
}

func appendChecksum(buf []byte, op string, data []byte) []byte {
	c := checksum(op, data)
	const hex = "0123456789abcdef"
	for shift := 28; shift >= 0; shift -= 4 {
		buf = append(buf, hex[(c>>shift)&0xf])
	}
	return buf
}

// damaged records what recovery dropped and why.
func (st *Store) damaged(format string, a ...any) {
	line := fmt.Sprintf(format, a...)
	st.Damage = append(st.Damage, line)
	st.note("%s", line)
}

// note writes a line on Log.
func (st *Store) note(format string, a ...any) {
	if st.Log != nil {
		fmt.Fprintf(st.Log, "awslocal: state %s: "+format+"\n", append([]any{st.dir}, a...)...)
	}
}

// replay is the position of recovery: the number the next record must have (0 while
// unknown: a directory written before records were numbered).
type replay struct {
	want  uint64
	where string // the last record replayed, for a gap's message
}

// replayLogs applies the logs from number next on and returns the number of the last one.
// Log files follow each other without a hole, starting at the snapshot's nextLog: Open
// creates that file as it writes the snapshot, so it is there even when empty.
func (st *Store) replayLogs(next int, nextSeq uint64, hasSnapshot bool) (int, error) {
	logs, err := ListLogs(st.dir)
	if err != nil {
		return 0, err
	}
	var todo []int
	for _, n := range logs {
		if n >= next {
			todo = append(todo, n)
		}
	}
	if !hasSnapshot && len(todo) > 0 {
		st.damaged("%s is missing but logs are there: the state recorded before %s is lost", SnapshotName, filepath.Base(LogPath(st.dir, todo[0])))
		next = todo[0]
	}
	rp := &replay{want: nextSeq, where: "the snapshot"}
	expected, last := next, next
	for i, n := range todo {
		for ; expected < n; expected++ {
			st.damaged("%s is missing: the records it held are lost", filepath.Base(LogPath(st.dir, expected)))
		}
		if err := st.replayLog(LogPath(st.dir, n), rp, i == len(todo)-1); err != nil {
			return 0, err
		}
		last, expected = n, n+1
	}
	if hasSnapshot && len(todo) == 0 {
		st.damaged("%s is missing: the records made after the snapshot are lost", filepath.Base(LogPath(st.dir, next)))
	}
	if rp.want > 0 {
		st.seq = rp.want - 1
	}
	return last, nil
}

// replayLog applies a log file's records; lastFile says whether a torn last line is the
// crash's (it is, in the last file only).
func (st *Store) replayLog(path string, rp *replay, lastFile bool) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("awslocal: opening log: %w", err)
	}
	defer f.Close()
	name := filepath.Base(path)
	r := bufio.NewReaderSize(f, 1<<20)
	for lineNo := 1; ; lineNo++ {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			if len(bytes.TrimSpace(line)) > 0 {
				if lastFile {
					st.note("%s line %d: ignored the torn last record (%d bytes, cut short by a crash before it was acknowledged)", name, lineNo, len(line))
				} else {
					st.damaged("%s line %d: the file ends in a partial record (%d bytes) but later logs follow: dropped", name, lineNo, len(line))
				}
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("awslocal: reading %s: %w", path, err)
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		st.replayLine(fmt.Sprintf("%s line %d", name, lineNo), line, rp)
	}
}

// replayLine checks and applies one record.
func (st *Store) replayLine(where string, line []byte, rp *replay) {
	var l logLine
	if err := json.Unmarshal(line, &l); err != nil {
		st.damaged("%s: a record that does not decode (%v): dropped", where, err)
		return
	}
	if l.N != nil {
		n := *l.N
		if l.C == "" || l.C != string(appendChecksum(nil, l.Op, l.Data)) {
			st.damaged("%s: record %d (%s) fails its checksum: dropped", where, n, l.Op)
			if n == rp.want { // its number is the one expected: the next gap is not this record
				rp.want, rp.where = n+1, where
			}
			return
		}
		switch {
		case rp.want != 0 && n > rp.want:
			st.damaged("%s: records %s missing after %s (a log truncated or lines removed): lost", where, span(rp.want, n-1), rp.where)
		case rp.want != 0 && n < rp.want:
			st.damaged("%s: record %d (%s) repeats or precedes record %d already replayed: dropped", where, n, l.Op, rp.want-1)
			return
		}
		rp.want, rp.where = n+1, where
	}
	if err := st.apply(l.Op, l.Data); err != nil {
		st.damaged("%s: record %s (%s) does not apply to the state before it (%v): dropped", where, recordNumber(l.N), l.Op, err)
	}
}

func span(from, to uint64) string {
	if from == to {
		return strconv.FormatUint(from, 10)
	}
	return strconv.FormatUint(from, 10) + "–" + strconv.FormatUint(to, 10)
}

func recordNumber(n *uint64) string {
	if n == nil {
		return "(unnumbered)"
	}
	return strconv.FormatUint(*n, 10)
}
