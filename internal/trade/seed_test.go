package trade

import (
	"encoding/csv"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sriim/data/seed"
	"sriim/internal/seedtext"
)

// cuadro3Partners are the countries of the seed's Cuadro 3 as it names them.
var cuadro3Partners = map[string]string{"Taiwan": "TWN", "Taiwán": "TWN", "Estados Unidos": "USA", "Singapur": "SGP",
	"México": "MEX", "Otros": "OTROS", "Japón": "JPN", "Hong Kong": "HKG", "China": "CHN", "Chile": "CHL"}

var nextLine = regexp.MustCompile(`,(?: y)?\s*\S?\s*\d{10}:`)

var cuadro3Row = regexp.MustCompile(`^\s*([\pL ]+?)\s+((?:[\d,]+\s*)+)$`)

// TestCuadro3MatchesSeed checks the data file against the seed's Cuadro 3:
// each country's figures as printed, in the years its table's totals place
// them (the PDF's empty cells vanished), and each block's printed total as
// its World row; the printed totals differ from the sums of the rounded
// cells by 1 in five places, and nowhere by more.
func TestCuadro3MatchesSeed(t *testing.T) {
	text := seedtext.Text(t)
	table := text[strings.Index(text, "Cuadro 3: Países de destino"):]
	table = table[:strings.Index(table, "Fuente: PROMPEX")]
	blocks := map[string]string{"0307992000": "secos, salados , congelados", "1605901000": "Almejas, locos y machas preparados o conservados"}

	b, _ := seed.Files.ReadFile("trade-cuadro3.csv")
	recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	file := map[string]map[string]map[int]float64{} // code → partner → year → thousand US$
	for _, r := range recs[1:] {
		year, _ := strconv.Atoi(r[6])
		v, _ := strconv.ParseFloat(r[8], 64)
		if file[r[5]] == nil {
			file[r[5]] = map[string]map[int]float64{}
		}
		if file[r[5]][r[1]] == nil {
			file[r[5]][r[1]] = map[int]float64{}
		}
		file[r[5]][r[1]][year] = v / 1000
	}
	differ := 0
	for code, head := range blocks {
		block := table[strings.Index(table, head)+len(head):]
		k := strings.Index(block, "Total")
		if end := strings.Index(block[k:], "\n"); end > 0 {
			block = block[:k+end]
		}
		printed := map[string][]float64{}
		for _, line := range strings.Split(block, "\n") {
			m := cuadro3Row.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			var nums []float64
			for _, f := range strings.Fields(m[2]) {
				v, _ := strconv.ParseFloat(strings.ReplaceAll(f, ",", ""), 64)
				nums = append(nums, v)
			}
			printed[strings.TrimSpace(m[1])] = nums
		}
		totals := printed["Total"]
		if len(totals) < 6 {
			t.Fatalf("%s: no Total row in %q", code, block)
		}
		if got := file[code]["W00"]; len(got) != 6 {
			t.Errorf("%s: the file's World rows %v, want the 6 printed totals", code, got)
		}
		sums := map[int]float64{}
		for name, nums := range printed {
			if name == "Total" {
				continue
			}
			iso, ok := cuadro3Partners[name]
			if !ok {
				t.Fatalf("%s: Cuadro 3 row %q", code, name)
			}
			values := file[code][iso]
			var years []int
			for y := range values {
				years = append(years, y)
			}
			slices.Sort(years)
			for i, y := range years {
				if nums[i] != values[y] {
					t.Errorf("%s %s %d: the file has %v, Cuadro 3 prints %v as its %d-th figure", code, name, y, values[y], nums[i], i+1)
				}
				sums[y] += values[y]
			}
		}
		for i, y := 0, 2000; y <= 2005; i, y = i+1, y+1 {
			if file[code]["W00"][y] != totals[i] {
				t.Errorf("%s %d: World row %v, Cuadro 3's total %v", code, y, file[code]["W00"][y], totals[i])
			}
			switch d := sums[y] - totals[i]; {
			case d == 0:
			case d == 1 || d == -1:
				differ++
			default:
				t.Errorf("%s %d: the cells add up to %v, the printed total is %v: a figure is in the wrong year", code, y, sums[y], totals[i])
			}
		}
	}
	if differ != 5 {
		t.Errorf("the printed totals differ from the cells' sums by 1 in %d places, want 5", differ)
	}
}

// TestNationalLinesNamedAsSeed checks that the product line of each of
// Peru's national lines is named as the seed (2.4.2) describes that line:
// 1605901000 covers clams and machas too.
func TestNationalLinesNamedAsSeed(t *testing.T) {
	text := seedtext.Squash(seedtext.Text(t))
	for _, p := range ProductLines() {
		for _, c := range p.Codes {
			if c.Classification != "PE" {
				continue
			}
			i := strings.Index(text, c.Commodity+": ")
			if i < 0 {
				t.Fatalf("line %s is not in the seed", c.Commodity)
			}
			desc := text[i+len(c.Commodity)+2:]
			desc = desc[:strings.Index(desc, ".")]
			if loc := nextLine.FindStringIndex(desc); loc != nil {
				desc = desc[:loc[0]]
			}
			desc = strings.ReplaceAll(desc, "(Concholepas concholepas) ", "")
			if !strings.EqualFold(p.NameES, desc) {
				t.Errorf("line %s (%s) is named %q; the seed describes it as %q", p.Line, c.Commodity, p.NameES, desc)
			}
		}
	}
}
