package trade

import (
	"context"
	"time"
)

// LongestWrite is the longest write transaction an import of s has held.
func (s *Service) LongestWrite() time.Duration { return time.Duration(s.longestWrite.Load()) }

// SetSortRuns makes s's imports sort in runs of records figures, merging
// fanIn runs at a time: a small file then goes through temporary files.
func (s *Service) SetSortRuns(records, fanIn int) { s.sortRecords, s.sortFanIn = records, fanIn }

// SetBeforePublish has fn run when an import has stored its blocks, unseen,
// and is about to publish them.
func (s *Service) SetBeforePublish(fn func(ctx context.Context)) { s.beforePublish = fn }

// Runner names this process as a batch records it.
func Runner() string { return thisRunner() }
