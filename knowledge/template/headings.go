package template

import (
	"strings"
)

// Section is the language-independent key of a section heading.
type Section string

// Sections known to the vocabulary.
const (
	Background  Section = "background"
	Symptom     Section = "symptom"
	RootCause   Section = "root_cause"
	Resolution  Section = "resolution"
	Steps       Section = "steps"
	Prevention  Section = "prevention"
	AppliesTo   Section = "applies_to"
	Values      Section = "values"
	Conditions  Section = "conditions"
	Question    Section = "question"
	Answer      Section = "answer"
	Tip         Section = "tip"
	AppliesWhen Section = "applies_when"
)

// Label is the key of a line label inside a section (the Background
// lines of a ticket scenario).
type Label string

// Labels of the Background lines of ticket scenarios.
const (
	LabelProduct     Label = "product"
	LabelEnvironment Label = "environment"
	LabelCategory    Label = "category"
	LabelTags        Label = "tags"
	LabelType        Label = "type"
	LabelPriority    Label = "priority"
)

// Languages are the languages headings are localised in, by primary
// subtag; the first is the fallback.
var Languages = []string{"en", "de", "es", "fr", "pt", "zh", "ja"}

// words holds, per key, the heading in each of Languages (same order).
var words = map[string][7]string{
	string(Background):  {"Background", "Hintergrund", "Contexto", "Contexte", "Contexto", "背景", "背景"},
	string(Symptom):     {"Symptom", "Symptom", "Síntoma", "Symptôme", "Sintoma", "症状", "症状"},
	string(RootCause):   {"Root cause", "Ursache", "Causa raíz", "Cause première", "Causa raiz", "根本原因", "根本原因"},
	string(Resolution):  {"Resolution", "Lösung", "Solución", "Résolution", "Resolução", "解决方法", "解決策"},
	string(Steps):       {"Steps", "Schritte", "Pasos", "Étapes", "Passos", "步骤", "手順"},
	string(Prevention):  {"Prevention", "Vorbeugung", "Prevención", "Prévention", "Prevenção", "预防措施", "再発防止"},
	string(AppliesTo):   {"Applies to", "Gilt für", "Se aplica a", "S'applique à", "Aplica-se a", "适用范围", "適用範囲"},
	string(Values):      {"Values", "Werte", "Valores", "Valeurs", "Valores", "参数值", "値"},
	string(Conditions):  {"Conditions", "Bedingungen", "Condiciones", "Conditions", "Condições", "条件", "条件"},
	string(Question):    {"Question", "Frage", "Pregunta", "Question", "Pergunta", "问题", "質問"},
	string(Answer):      {"Answer", "Antwort", "Respuesta", "Réponse", "Resposta", "回答", "回答"},
	string(Tip):         {"Tip", "Hinweis", "Consejo", "Conseil", "Dica", "提示", "ヒント"},
	string(AppliesWhen): {"When it applies", "Wann es gilt", "Cuándo aplica", "Quand cela s'applique", "Quando se aplica", "适用情况", "適用される場面"},

	string(LabelProduct):     {"Product", "Produkt", "Producto", "Produit", "Produto", "产品", "製品"},
	string(LabelEnvironment): {"Environment", "Umgebung", "Entorno", "Environnement", "Ambiente", "环境", "環境"},
	string(LabelCategory):    {"Category", "Kategorie", "Categoría", "Catégorie", "Categoria", "类别", "カテゴリ"},
	string(LabelTags):        {"Tags", "Schlagwörter", "Etiquetas", "Étiquettes", "Etiquetas", "标签", "タグ"},
	string(LabelType):        {"Type", "Typ", "Tipo", "Type", "Tipo", "类型", "種類"},
	string(LabelPriority):    {"Priority", "Priorität", "Prioridad", "Priorité", "Prioridade", "优先级", "優先度"},
}

// langIndex is the position of a BCP 47 tag's primary subtag in
// Languages, 0 (English) for the others.
func langIndex(tag string) int {
	p, _, _ := strings.Cut(strings.ReplaceAll(tag, "_", "-"), "-")
	p = strings.ToLower(strings.TrimSpace(p))
	for i, l := range Languages {
		if l == p {
			return i
		}
	}
	return 0
}

// Heading returns the heading of s in the language of the BCP 47 tag
// lang (English for languages without a translation, and for an unknown
// key the key itself).
func Heading(s Section, lang string) string {
	w, ok := words[string(s)]
	if !ok {
		return string(s)
	}
	return w[langIndex(lang)]
}

// LabelText returns the label l in the language of lang, as Heading does.
func LabelText(l Label, lang string) string {
	w, ok := words[string(l)]
	if !ok {
		return string(l)
	}
	return w[langIndex(lang)]
}

// SectionOf returns the key of a heading text in any of Languages
// (compared without case and surrounding space), and false for a heading
// that is not in the vocabulary. Reading headings in every language lets a
// unit written before headings were localised (English headings in a
// German unit) be read the same way.
func SectionOf(heading string) (Section, bool) {
	h := strings.ToLower(strings.TrimSpace(heading))
	for _, k := range sectionKeys {
		for _, w := range words[string(k)] {
			if strings.ToLower(w) == h {
				return k, true
			}
		}
	}
	return "", false
}

var sectionKeys = []Section{Background, Symptom, RootCause, Resolution, Steps, Prevention, AppliesTo, Values, Conditions, Question, Answer, Tip, AppliesWhen}

// Part is one "## " section of a Markdown body.
type Part struct {
	// Heading is the heading text as written; Key its vocabulary key, ""
	// when it is not in the vocabulary.
	Heading string
	Key     Section
	// Line is the 1-based line of the heading in the body.
	Line int
	// Text is the section's content, trimmed.
	Text string
}

// Split cuts a Markdown body at its level-2 headings ("## …"), outside
// fenced code blocks. Text before the first such heading is left out.
func Split(body string) []Part {
	var parts []Part
	var buf []string
	fence := ""
	flush := func() {
		if len(parts) > 0 {
			parts[len(parts)-1].Text = strings.TrimSpace(strings.Join(buf, "\n"))
		}
		buf = buf[:0]
	}
	for i, line := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(line)
		if fence != "" {
			if strings.HasPrefix(t, fence) {
				fence = ""
			}
			buf = append(buf, line)
			continue
		}
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fence = t[:3]
			buf = append(buf, line)
			continue
		}
		if strings.HasPrefix(line, "## ") {
			flush()
			h := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(line[3:]), "#"))
			k, _ := SectionOf(h)
			parts = append(parts, Part{Heading: h, Key: k, Line: i + 1})
			continue
		}
		buf = append(buf, line)
	}
	flush()
	return parts
}

// Find returns the text of the first section of body whose heading is s in
// any language, and whether there is one.
func Find(body string, s Section) (string, bool) {
	for _, p := range Split(body) {
		if p.Key == s {
			return p.Text, true
		}
	}
	return "", false
}

var labelKeys = []Label{LabelProduct, LabelEnvironment, LabelCategory, LabelTags, LabelType, LabelPriority}

// Localize rewrites the vocabulary's "## " headings of body, and the
// "- Label: value" lines of its Background section, into the language of
// lang, leaving everything else (code blocks included) as it is. A unit
// written before headings were localised reads in its own language once it
// is next revised.
func Localize(body, lang string) string {
	lines := strings.Split(body, "\n")
	fence := false
	inBackground := false
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fence = !fence
			continue
		}
		if fence {
			continue
		}
		if strings.HasPrefix(l, "## ") {
			k, ok := SectionOf(l[3:])
			inBackground = ok && k == Background
			if ok {
				lines[i] = "## " + Heading(k, lang)
			}
			continue
		}
		if !inBackground || !strings.HasPrefix(l, "- ") {
			continue
		}
		name, value, ok := strings.Cut(l[2:], ": ")
		if !ok {
			continue
		}
		for _, k := range labelKeys {
			for _, w := range words[string(k)] {
				if strings.EqualFold(w, name) {
					lines[i] = "- " + LabelText(k, lang) + ": " + value
				}
			}
		}
	}
	return strings.Join(lines, "\n")
}
