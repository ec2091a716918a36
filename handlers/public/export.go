package public

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"

	"decisiond/workflow"

	"github.com/xuri/excelize/v2"
)

// The catalogue's rows in the ten columns of PROCEDURE.md (序号, 事项名称,
// 决策机关, 承办单位, 决策依据, 履行程序, 是否听证, 计划完成时间, 完成情况, 备注),
// and the same table as CSV (UTF-8 with BOM, so Excel opens the Chinese
// intact) and as an Excel workbook (excelize). Every export opens with the
// document's title and its anchor, so a copy carries its proof.

// itemRow is one item as every format prints it.
type itemRow struct {
	No         int
	Item       workflow.CatalogueItem
	Completion workflow.Completion
	Cells      []string // the ten columns, in header order
}

func yesNo(b bool) string {
	if b {
		return "是"
	}
	return "否"
}

// rowsOf lays items out in the ten columns, numbered from 1 in order.
func rowsOf(organ string, items []workflow.CatalogueItem, comp map[int64]workflow.Completion) []itemRow {
	out := make([]itemRow, len(items))
	for i, it := range items {
		c := comp[it.ItemID]
		out[i] = itemRow{No: i + 1, Item: it, Completion: c, Cells: []string{
			strconv.Itoa(i + 1), it.Name, organ, it.UndertakingUnit, it.Basis, workflow.ProceduresZH(it.Procedures),
			yesNo(it.Hearing), it.PlannedTime().ZH(), c.Text, it.Note}}
	}
	return out
}

// table is one sheet: a title, lines of information (publication, anchor),
// the header row and the rows.
type table struct {
	Name    string // the sheet's name
	Title   string
	Info    []string
	Headers []string
	Rows    [][]string
}

// records is the table as rows of equal width: the title and information
// lines first (padded), then the header and the rows.
func (t table) records() [][]string {
	w := len(t.Headers)
	pad := func(s string) []string {
		r := make([]string, w)
		r[0] = s
		return r
	}
	out := [][]string{pad(t.Title)}
	for _, l := range t.Info {
		out = append(out, pad(l))
	}
	out = append(out, t.Headers)
	return append(out, t.Rows...)
}

// csvBytes is the table as CSV: UTF-8 with a byte-order mark, CRLF line
// ends (what Excel expects).
func (t table) csvBytes() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("\uFEFF")
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	if err := w.WriteAll(t.records()); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// xlsxBytes is the tables as one workbook, a sheet each: the title merged
// across the columns, the header row bold and repeated on every printed
// page, A4 portrait.
func xlsxBytes(title, author string, sheets ...table) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetDocProps(&excelize.DocProperties{Title: title, Creator: author, Language: "zh-CN"}); err != nil {
		return nil, err
	}
	titleStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16, Family: "方正小标宋简体"},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	if err != nil {
		return nil, err
	}
	infoStyle, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return nil, err
	}
	border := []excelize.Border{{Type: "left", Style: 1, Color: "000000"}, {Type: "right", Style: 1, Color: "000000"},
		{Type: "top", Style: 1, Color: "000000"}, {Type: "bottom", Style: 1, Color: "000000"}}
	headStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Family: "黑体"}, Border: border,
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E9EDF3"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	if err != nil {
		return nil, err
	}
	cellStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: "仿宋_GB2312"}, Border: border,
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return nil, err
	}
	for i, t := range sheets {
		name := t.Name
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return nil, err
		}
		recs := t.records()
		last, _ := excelize.ColumnNumberToName(len(t.Headers))
		for r, rec := range recs {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			row := make([]any, len(rec))
			for j, s := range rec {
				row[j] = s
			}
			if err := f.SetSheetRow(name, cell, &row); err != nil {
				return nil, err
			}
		}
		head := len(t.Info) + 2 // the header's row number
		for r := 1; r < head; r++ {
			a, b := fmt.Sprintf("A%d", r), fmt.Sprintf("%s%d", last, r)
			if err := f.MergeCell(name, a, b); err != nil {
				return nil, err
			}
			style := infoStyle
			if r == 1 {
				style = titleStyle
			}
			if err := f.SetCellStyle(name, a, b, style); err != nil {
				return nil, err
			}
		}
		if err := f.SetRowHeight(name, 1, 36); err != nil {
			return nil, err
		}
		if err := f.SetCellStyle(name, fmt.Sprintf("A%d", head), fmt.Sprintf("%s%d", last, head), headStyle); err != nil {
			return nil, err
		}
		if len(t.Rows) > 0 {
			if err := f.SetCellStyle(name, fmt.Sprintf("A%d", head+1), fmt.Sprintf("%s%d", last, head+len(t.Rows)), cellStyle); err != nil {
				return nil, err
			}
		}
		for c, h := range t.Headers {
			col, _ := excelize.ColumnNumberToName(c + 1)
			if err := f.SetColWidth(name, col, col, columnWidth(h)); err != nil {
				return nil, err
			}
		}
		if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$%d:$%d", name, head, head), Scope: name}); err != nil {
			return nil, err
		}
		size, portrait := 9, "portrait" // A4
		if err := f.SetPageLayout(name, &excelize.PageLayoutOptions{Size: &size, Orientation: &portrait}); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// columnWidth is a sheet column's width (in characters) by its header.
func columnWidth(header string) float64 {
	switch header {
	case "序号":
		return 6
	case "事项名称", "决策依据", "完成情况", "理由":
		return 30
	case "履行程序", "承办单位", "决策机关", "备注":
		return 18
	}
	return 12
}

// hearingTable is the 听证事项目录: the items that hold a hearing.
func hearingTable(title string, rows []itemRow) table {
	t := table{Name: "听证事项目录", Title: title + "·听证事项目录", Headers: []string{"序号", "事项名称", "承办单位", "计划完成时间", "备注"}}
	n := 0
	for _, r := range rows {
		if r.Item.Hearing {
			n++
			t.Rows = append(t.Rows, []string{strconv.Itoa(n), r.Item.Name, r.Item.UndertakingUnit, r.Item.PlannedTime().ZH(), r.Item.Note})
		}
	}
	return t
}

var changeZH = map[string]string{workflow.ChangeAdded: "增加", workflow.ChangeChanged: "修改", workflow.ChangeRemoved: "调出"}

// changesTable lists what an adjustment added, changed and removed.
func changesTable(title string, v *workflow.CatalogueVersion) table {
	t := table{Name: "调整事项", Title: title, Headers: []string{"序号", "调整类型", "事项名称", "理由"}}
	for i, it := range v.Changes() {
		t.Rows = append(t.Rows, []string{strconv.Itoa(i + 1), changeZH[it.Change], it.Name, it.ChangeReason})
	}
	return t
}
