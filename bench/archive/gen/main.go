// Command gen writes a deterministic batch of generated Spanish documents
// for the archive benchmark: DIR/lote.csv (the metadata file that
// `sriim import documents --metadata` reads) and one text file of about
// --kb kilobytes per document in DIR/textos. Words follow a Zipf law over a
// vocabulary of Spanish stop words, made-up words and the chain's own words
// in several forms; as in real documents, each is about a few topics: four
// of the chain's words (with their forms) make 2 % of its words, and give
// it its title and keywords. "molusco" is common to all. The same flags
// always give the same files.
//
//	go run ./bench/archive/gen --docs 10000 --out /tmp/lote
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

var stop = strings.Fields(`de la que el en y a los del se las por un para con no una su al lo como más pero sus le ya o este
	sí porque esta entre cuando muy sin sobre también me hasta hay donde quien desde todo nos durante todos uno les ni contra otros
	ese eso ante ellos e esto mí antes algunos qué unos yo otro otras otra él tanto esa estos mucho quienes nada muchos cual poco`)

// lemmas are the chain's words; each comes in the forms of forms().
var lemmas = strings.Fields(`molusco loco concha abanico pulpo erizo caracol choro macha lapa exportación exportador producción
	productor planta habilitación sanitario registro depuración marea roja veda extracción buzo artesanal maricultura linterna
	semilla cultivo cosecha desembarque mercado precio congelado conserva fresco salado salmuera calidad inocuidad certificación
	laboratorio análisis muestreo toxina control vigilancia norma reglamento procedimiento requisito plazo trámite costo tarifa
	arancel partida destino importador proveedor competidor demanda oferta volumen valor tonelada kilogramo dólar crecimiento
	tendencia campaña temporada zona banco natural concesión autorización catastro acuícola pesquero desembarcadero muelle
	caleta puerto región provincia distrito gobierno institución dirección ministerio universidad tesis investigación estudio
	manual guía informe presentación capacitación asistencia técnica financiamiento crédito inversión proyecto plan programa
	actividad meta indicador avance seguimiento evaluación diagnóstico estrategia objetivo asociación organización gremio
	cooperativa empresa industria procesamiento envase embalaje transporte cadena frío logística comercialización promoción
	feria misión rueda negocio comprador cliente contrato venta compra stock inventario almacén cámara temperatura agua mar
	litoral costa playa fondo profundidad biomasa población talla peso edad crecimiento reproducción desove larva juvenil adulto`)

// forms inflects a lemma the way texts do: plural, feminine, verb forms.
func forms(w string) []string {
	out := []string{w}
	switch {
	case strings.HasSuffix(w, "ción"):
		base := strings.TrimSuffix(w, "ción")
		out = append(out, base+"ciones", base+"r", base+"dor", base+"dores", base+"do")
	case strings.HasSuffix(w, "o"):
		out = append(out, w+"s", strings.TrimSuffix(w, "o")+"a", strings.TrimSuffix(w, "o")+"as")
	case strings.HasSuffix(w, "a"), strings.HasSuffix(w, "e"):
		out = append(out, w+"s")
	default:
		out = append(out, w+"es")
	}
	return out
}

var syllables = strings.Fields("ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga go gu la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo za zo cha che chi llo lla ña ño tra tre pla ple bra bre")

// vocabulary lists the words from most to least frequent: stop words,
// "molusco", then made-up words, among which the chain's words come from
// rank 2000 on (a background mention in one document of ten or twenty).
func vocabulary(r *rand.Rand, size int) []string {
	seen := map[string]bool{}
	var v []string
	add := func(w string) {
		if !seen[w] {
			seen[w] = true
			v = append(v, w)
		}
	}
	made := func() {
		n := 2 + r.IntN(3)
		var b strings.Builder
		for range n {
			b.WriteString(syllables[r.IntN(len(syllables))])
		}
		add(b.String())
	}
	for _, w := range stop {
		add(w)
	}
	for _, f := range forms("molusco") {
		add(f)
	}
	for len(v) < 2000 {
		made()
	}
	for _, l := range lemmas {
		for _, f := range forms(l) {
			add(f)
		}
		for range 6 {
			made()
		}
	}
	for len(v) < size {
		made()
	}
	return v
}

// zipf samples ranks with probability proportional to 1/rank^s.
type zipf struct{ cum []float64 }

func newZipf(n int, s float64) zipf {
	z := zipf{cum: make([]float64, n)}
	total := 0.0
	for i := range n {
		total += 1 / math.Pow(float64(i+1), s)
		z.cum[i] = total
	}
	for i := range z.cum {
		z.cum[i] /= total
	}
	return z
}

func (z zipf) rank(r *rand.Rand) int { return sort.SearchFloat64s(z.cum, r.Float64()) }

var (
	kinds      = []string{"investigación", "tesis", "manual", "estudio", "guía", "norma técnica", "informe", "presentación", "otro"}
	species    = []string{"SNE", "SCQ", "QDM", "UCH", "CHQ", "CLM"}
	activities = []string{"1.1.1", "1.1.2", "1.1.3", "2.1.1", "2.1.4", "2.3.4", "4.3.1"}
	institutes = []string{"DIREPRO-ILO", "IMARPE", "ITP", "PRODUCE"}
)

func capital(w string) string {
	r, size := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(r)) + w[size:]
}

func main() {
	docs := flag.Int("docs", 10000, "how many documents")
	kb := flag.Int("kb", 20, "kilobytes of text per document")
	out := flag.String("out", "", "the directory to write (created)")
	flag.Parse()
	if *out == "" {
		log.Fatal("--out is required")
	}
	r := rand.New(rand.NewPCG(17, 2006))
	vocab := vocabulary(r, 40000)
	z := newZipf(len(vocab), 1.05)
	if err := os.MkdirAll(filepath.Join(*out, "textos"), 0o755); err != nil {
		log.Fatal(err)
	}
	var topic []string // the forms of the document's topics
	words := func(n int) string {
		var b strings.Builder
		for i := range n {
			w := vocab[z.rank(r)]
			if len(topic) > 0 && r.IntN(50) == 0 {
				w = topic[r.IntN(len(topic))]
			}
			if i%14 == 0 {
				w = capital(w) // at sentence starts, as text has
			}
			b.WriteString(w)
			if i%14 == 13 {
				b.WriteString(".\n")
			} else {
				b.WriteByte(' ')
			}
		}
		return b.String()
	}
	meta, err := os.Create(filepath.Join(*out, "lote.csv"))
	if err != nil {
		log.Fatal(err)
	}
	cw := csv.NewWriter(meta)
	_ = cw.Write([]string{"archivo", "titulo", "tipo", "autores", "institucion", "anio", "idioma", "resumen", "palabras_clave", "especies", "actividades", "acceso"})
	for i := 1; i <= *docs; i++ {
		name := fmt.Sprintf("textos/doc-%05d.txt", i)
		topics := []string{lemmas[r.IntN(len(lemmas))], lemmas[r.IntN(len(lemmas))], lemmas[r.IntN(len(lemmas))], lemmas[r.IntN(len(lemmas))]}
		topic = nil
		for _, t := range topics {
			topic = append(topic, forms(t)...)
		}
		f, err := os.Create(filepath.Join(*out, name))
		if err != nil {
			log.Fatal(err)
		}
		w := bufio.NewWriter(f)
		for written := 0; written < *kb*1024; {
			n, _ := w.WriteString(words(140))
			written += n
		}
		if err := w.Flush(); err != nil {
			log.Fatal(err)
		}
		f.Close()
		// The title and keywords name the topics.
		title := fmt.Sprintf("%s de %s en %s %d", capital(topics[0]), topics[1], topics[2], i)
		keywords := topics[2] + "; " + topics[3]
		access := "publico"
		if i%10 == 0 {
			access = "registrados"
		}
		_ = cw.Write([]string{name, title, kinds[r.IntN(len(kinds))], "Autor " + strconv.Itoa(r.IntN(500)), institutes[r.IntN(len(institutes))],
			strconv.Itoa(1995 + r.IntN(32)), "es", words(60), keywords, species[r.IntN(len(species))], activities[r.IntN(len(activities))], access})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		log.Fatal(err)
	}
	if err := meta.Close(); err != nil {
		log.Fatal(err)
	}
}
