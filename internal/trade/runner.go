package trade

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// A batch records the process that runs it as "host/pid/start": the host
// name, the process id and, where the system tells (Linux), the boot and
// the time the process started, so that a later process with the same id
// is not taken for it.

// thisRunner names this process.
func thisRunner() string {
	host, _ := os.Hostname()
	pid := os.Getpid()
	return fmt.Sprintf("%s/%d/%s", strings.ReplaceAll(host, "/", "_"), pid, processStart(pid))
}

// processStart is the boot id and start time of process pid ("" when
// unknown or when the process does not exist).
func processStart(pid int) string {
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	// The fields after the command name (which may hold spaces), from the
	// state (field 3): the start time is field 22.
	i := strings.LastIndexByte(string(stat), ')')
	if i < 0 {
		return ""
	}
	fields := strings.Fields(string(stat[i+1:]))
	if len(fields) < 20 {
		return ""
	}
	return strings.TrimSpace(string(boot)) + ":" + fields[19]
}

// runnerGone reports whether runner is a process of this host that no
// longer runs. A runner of another host is never gone by this test (its
// heartbeat tells).
func runnerGone(runner string) bool {
	parts := strings.SplitN(runner, "/", 3)
	if len(parts) != 3 {
		return false
	}
	host, _ := os.Hostname()
	if parts[0] != strings.ReplaceAll(host, "/", "_") {
		return false
	}
	pid, err := strconv.Atoi(parts[1])
	if err != nil || pid <= 0 {
		return false
	}
	if parts[2] != "" {
		if _, err := os.Stat("/proc/self/stat"); err == nil {
			return processStart(pid) != parts[2]
		}
	}
	// Without /proc: signal 0 says whether the process exists (Unix).
	p, err := os.FindProcess(pid)
	if err != nil {
		return true
	}
	return errors.Is(p.Signal(syscall.Signal(0)), os.ErrProcessDone)
}
