package workflow

import (
	_ "embed"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// The text of 《重大行政决策程序暂行条例》 (State Council Decree 713), so
// the procedure page can show each state's articles without a network
// (an official text; laws are not subject to copyright, Copyright Law Art. 5).
//
//go:embed regulation.md
var regulation string

// Article is one article of the regulation.
type Article struct {
	No    int
	Title string // 第十五条
	Text  string // its paragraphs, the first without the heading
}

var (
	articlesOnce sync.Once
	articles     map[int]Article
)

var articleHead = regexp.MustCompile(`^(第[零一二三四五六七八九十百]+条)\s*`)

func loadArticles() {
	articles = map[int]Article{}
	var cur *Article
	for _, line := range strings.Split(regulation, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "<!--") {
			continue
		}
		if strings.HasPrefix(line, "#") {
			cur = nil
			continue
		}
		if m := articleHead.FindStringSubmatch(line); m != nil {
			n := chineseNumber(strings.TrimSuffix(strings.TrimPrefix(m[1], "第"), "条"))
			articles[n] = Article{No: n, Title: m[1], Text: strings.TrimSpace(line[len(m[0]):])}
			a := articles[n]
			cur = &a
			articles[n] = a
			continue
		}
		if cur != nil {
			a := articles[cur.No]
			a.Text += "\n" + line
			articles[cur.No] = a
		}
	}
}

// chineseNumber reads 一 … 九十九.
func chineseNumber(s string) int {
	digits := map[rune]int{'零': 0, '一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	n, cur := 0, 0
	for _, r := range s {
		switch r {
		case '十':
			if cur == 0 {
				cur = 1
			}
			n += cur * 10
			cur = 0
		case '百':
			n += cur * 100
			cur = 0
		default:
			cur = digits[r]
		}
	}
	return n + cur
}

// ArticleText returns article n of the regulation.
func ArticleText(n int) (Article, bool) {
	articlesOnce.Do(loadArticles)
	a, ok := articles[n]
	return a, ok
}

var articleRef = regexp.MustCompile(`Art\. (\d+)(?:[–-](\d+))?`)

// ArticleNumbers lists the articles of the regulation a reference such as
// "Art. 11–13" or "Art. 25 ¶2, 29" names (Qinghai's plan, "QH", is not
// the regulation and is left out).
func ArticleNumbers(ref string) []int {
	var out []int
	for _, part := range strings.Split(ref, ";") {
		if !strings.Contains(part, "Art.") {
			continue
		}
		for _, m := range articleRef.FindAllStringSubmatch(part, -1) {
			a, _ := strconv.Atoi(m[1])
			b := a
			if m[2] != "" {
				b, _ = strconv.Atoi(m[2])
			}
			for n := a; n <= b && n-a < 20; n++ {
				out = append(out, n)
			}
		}
		// "Art. 25 ¶2, 29": bare numbers after a comma are articles too
		for _, seg := range strings.Split(part, ",")[1:] {
			if n, err := strconv.Atoi(strings.TrimSpace(seg)); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}
