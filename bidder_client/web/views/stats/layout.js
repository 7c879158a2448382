// Where the parts of a bar chart's row go, so that no two texts ever overlap (pure: tested in Node).
//
// A row is [label | bar track | value | note]. Texts are measured generously for the charts' 12px font,
// the value in bold: a CJK character 13px, anything else 8.5px (a bold "10.0%" is 42px in Chromium).
// The value and note columns are as wide as their longest text; when the label, the value, the note and
// a usable track do not fit in the width, the note moves to a line of its own under the bar (the row
// grows), never over the value. tests/browser/test_web_client.py checks the drawn boxes in Chromium.

export const FONT_PX = 13;
const GAP = 8;
const MIN_TRACK = 60;

/** The width of ``text`` in pixels at the charts' font. */
export function textWidth(text) {
  let w = 0;
  for (const ch of String(text ?? "")) w += /[\u2e80-\uffff]/.test(ch) ? FONT_PX : 8.5;
  return w;
}

/** The columns of a bar chart ``width`` pixels wide for ``rows`` ({label, text, note}). */
export function barLayout(rows, width) {
  const labelW = Math.min(132, Math.round(width * 0.3));
  const valueW = Math.ceil(Math.max(0, ...rows.map((r) => textWidth(r.text)))) + GAP;
  const noteW = Math.ceil(Math.max(0, ...rows.map((r) => (r.note ? textWidth(r.note) : 0))));
  const inline = noteW === 0 || labelW + MIN_TRACK + valueW + GAP + noteW <= width;
  const track = Math.max(MIN_TRACK / 2, width - 2 - labelW - valueW - (inline && noteW ? noteW + GAP : 0));
  const valueX = labelW + track + GAP;
  return {
    labelW,
    track,
    valueX, // the value text starts here (anchored at its start)
    noteX: width - 2, // the note ends here (anchored at its end), on the bar's line when inline
    noteBelow: !inline, // the note on a line of its own under the bar
    rowH: inline ? 22 : 22 + FONT_PX + 6,
  };
}
