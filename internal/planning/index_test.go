package planning_test

import (
	"context"
	"testing"

	"sriim/internal/db"
	"sriim/internal/db/dbtest"
)

// TestActivityIndexListsEveryActivity lists each activity of the plan, in its order.
func TestActivityIndexListsEveryActivity(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		acts, err := f.svc.Activities(ctx, f.planID, 2008)
		if err != nil {
			t.Fatal(err)
		}
		index, err := f.svc.ActivityIndex(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(index) != len(acts) || len(acts) == 0 {
			t.Fatalf("index holds %d activities, the plan %d", len(index), len(acts))
		}
		for i, a := range acts {
			if got := index[i]; got.ID != a.ID || got.Code != a.Code || got.PlanID != f.planID || got.Title != a.Title {
				t.Fatalf("activity %d: %+v, want %s", i, got, a.Code)
			}
		}
	})
}
