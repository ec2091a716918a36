package workflow

import (
	"sort"
	"strings"
)

// PolicyDomains is the closed vocabulary of policy domains (政策领域): the
// values a decision's `domains` and a rule pack's `mandatory_risk_domains`
// take, exactly as written here (Chinese names, as in QH (八)). A closed list
// means no spelling can dodge a mandatory list: "交通 运输", "交通运输业" or a
// full-width variant is not a domain and is refused (400, naming the nearest
// valid names), never silently treated as a domain outside the list.
//
// The first thirteen are the domains QH (八) names for full risk-assessment
// coverage (生态环境保护、安全生产……促进民生福祉); the rest are the other
// fields of government in which major decisions are commonly made.
var PolicyDomains = []Label{
	{"生态环境保护", "生态环境保护", "ecological and environmental protection"},
	{"安全生产", "安全生产", "work safety"},
	{"自然资源", "自然资源", "natural resources"},
	{"教育培训", "教育培训", "education and training"},
	{"食品安全", "食品安全", "food safety"},
	{"公共卫生", "公共卫生", "public health"},
	{"劳动保障", "劳动保障", "labour and social security"},
	{"城市管理", "城市管理", "urban management"},
	{"交通运输", "交通运输", "transport"},
	{"金融服务", "金融服务", "financial services"},
	{"网络安全", "网络安全", "cyber security"},
	{"民族团结进步", "民族团结进步", "ethnic unity and progress"},
	{"促进民生福祉", "促进民生福祉", "people's wellbeing"},
	{"价格管理", "价格管理", "price administration"},
	{"财政税收", "财政税收", "public finance and taxation"},
	{"国有资产", "国有资产", "state-owned assets"},
	{"城乡规划", "城乡规划", "urban and rural planning"},
	{"住房保障", "住房保障", "housing"},
	{"土地征收", "土地征收", "land expropriation"},
	{"农业农村", "农业农村", "agriculture and rural affairs"},
	{"水利", "水利", "water resources"},
	{"能源", "能源", "energy"},
	{"产业发展", "产业发展", "industrial development"},
	{"市场监管", "市场监管", "market regulation"},
	{"科技创新", "科技创新", "science and innovation"},
	{"文化旅游", "文化旅游", "culture and tourism"},
	{"医疗卫生", "医疗卫生", "medical services"},
	{"社会救助", "社会救助", "social assistance"},
	{"养老服务", "养老服务", "elderly care"},
	{"应急管理", "应急管理", "emergency management"},
	{"公共安全", "公共安全", "public security"},
	{"政务服务", "政务服务", "government services"},
	{"重大建设项目", "重大建设项目", "major construction projects"},
}

// DomainNames lists the vocabulary's names in its order.
func DomainNames() []string {
	out := make([]string, len(PolicyDomains))
	for i, d := range PolicyDomains {
		out[i] = d.Code
	}
	return out
}

// ValidDomain reports whether name is a domain of the vocabulary, exactly.
func ValidDomain(name string) bool {
	for _, d := range PolicyDomains {
		if d.Code == name {
			return true
		}
	}
	return false
}

// nearest returns up to n values of valid closest to s: first those sharing
// the most characters in order (longest common subsequence), then the
// smallest edit distance; ties keep the list's order.
func nearest(s string, valid []string, n int) []string {
	q := []rune(normName(s))
	type cand struct {
		v         string
		i, common int
		dist      int
	}
	cs := make([]cand, len(valid))
	for i, v := range valid {
		r := []rune(v)
		cs[i] = cand{v: v, i: i, common: lcs(q, r), dist: editDistance(q, r)}
	}
	sort.SliceStable(cs, func(a, b int) bool {
		if cs[a].common != cs[b].common {
			return cs[a].common > cs[b].common
		}
		return cs[a].dist < cs[b].dist
	})
	out := []string{}
	for _, c := range cs {
		if len(out) == n {
			break
		}
		out = append(out, c.v)
	}
	return out
}

func lcs(a, b []rune) int {
	prev := make([]int, len(b)+1)
	for i := range a {
		cur := make([]int, len(b)+1)
		for j := range b {
			switch {
			case a[i] == b[j]:
				cur[j+1] = prev[j] + 1
			case prev[j+1] > cur[j]:
				cur[j+1] = prev[j+1]
			default:
				cur[j+1] = cur[j]
			}
		}
		prev = cur
	}
	return prev[len(b)]
}

func editDistance(a, b []rune) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := range a {
		cur := make([]int, len(b)+1)
		cur[0] = i + 1
		for j := range b {
			cost := 1
			if a[i] == b[j] {
				cost = 0
			}
			cur[j+1] = min(prev[j]+cost, prev[j+1]+1, cur[j]+1)
		}
		prev = cur
	}
	return prev[len(b)]
}

// enumError is the message of a value outside an enumeration: a short list
// is given whole; for a long one (the domain vocabulary) the nearest valid
// values are named.
func enumError(v any, f Field) (zh, en string) {
	if len(f.Enum) <= 12 {
		return "应为以下之一：" + strings.Join(f.Enum, "、"), "must be one of: " + strings.Join(f.Enum, ", ")
	}
	s, _ := v.(string)
	near := nearest(s, f.Enum, 3)
	return "「" + s + "」不是有效的取值（取值为封闭列表，见 GET /api/v1/domains）；最接近的有效值：" + strings.Join(near, "、"),
		"\"" + s + "\" is not a valid value (a closed list, see GET /api/v1/domains); nearest valid values: " + strings.Join(near, ", ")
}
