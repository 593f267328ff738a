package stem

import "strings"

// stopwords are the function words left out of published stems: articles,
// prepositions, pronouns, auxiliaries and question words, which a
// customer's question is full of ("what does it mean") and which would
// otherwise rank the shortest units first. Negations stay: "no sensor"
// is a message.
var stopwords = map[string]map[string]bool{
	"en": set("a an the and or of to in on at for from with by as into about is are was were be been being do does did done " +
		"what how why when where which who whom whose can could should would will shall may might must " +
		"i me my we our you your he she his her it its they them their this that these those there here if then than so"),
	"de": set("der die das den dem des ein eine einer eines einem einen und oder zu im in am an auf aus bei mit von vom zum zur für " +
		"ist sind war waren wird werden wurde sein hat haben kann können muss soll wie was warum wann wo welche welcher welches " +
		"ich mich mein meine wir unser sie ihr es er sich man dies diese dieser dieses als auch so dass da"),
	"es": set("el la los las lo un una unos unas y o u de del a al en con por para es son está están ser se que qué cómo como " +
		"cuál cuáles cuando cuándo dónde donde quién mi mis tu tus su sus me le les nos yo"),
	"fr": set("le la les l un une des et ou de du d à au aux en dans avec par pour sur est sont être a ont que qu qui quoi " +
		"comment quel quelle quels quelles quand où je j me m mon ma mes il elle ils elles ce cette ces se s on"),
	"it": set("il lo la i gli le un uno una e o di del della dei a al in con per su è sono che come quale quando dove mi mio mia si"),
	"nl": set("de het een en of van in op aan met voor bij uit is zijn wordt worden hoe wat waarom wanneer waar welke ik mijn het"),
	"pt": set("o a os as um uma uns umas e ou de do da dos das em no na com por para é são que como qual quando onde eu meu minha se"),
}

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// Stopword reports whether w (lower case) is a function word of lang (a
// primary subtag): the words a term never starts or ends with.
func Stopword(lang, w string) bool { return stopwords[lang][w] }
