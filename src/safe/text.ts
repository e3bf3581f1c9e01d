/**
 * Text from outside (flags, files, API answers, the state file) on its way to a terminal or into an
 * error message: control characters are shown, not obeyed, and a long value is cut to an excerpt.
 * The lowest layer: imports nothing from the project.
 */

/**
 * C0 controls (including ESC, CR, LF, TAB), DEL, C1 controls, and the Unicode bidirectional and
 * invisible formatting characters that can make text read differently from what it is (U+202E
 * RIGHT-TO-LEFT OVERRIDE and friends, U+2066-2069 isolates, U+200B-200F, U+2028/2029, U+FEFF).
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/gu;

function show(ch: string): string {
  switch (ch) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    case '\u001b':
      return '\\e';
    default: {
      const cp = ch.codePointAt(0) ?? 0;
      return cp <= 0xff ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u{${cp.toString(16)}}`;
    }
  }
}

/** Every control or bidi character shown as a visible escape (`\e`, `\n`, `\u{202e}`). */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, show);
}

/** Does the text hold a control or bidi character? */
export function hasControl(text: string): boolean {
  CONTROL.lastIndex = 0;
  const r = CONTROL.test(text);
  CONTROL.lastIndex = 0;
  return r;
}

// eslint-disable-next-line no-control-regex
const SGR = /\u001b\[[0-9;]*m/gu;

/**
 * For a line the program colored itself: keeps its SGR color codes (ESC [ ... m, which only change
 * colors) and escapes every other control character, so an embedded cursor move, title change,
 * hyperlink, newline or bidi override from a value is shown instead of obeyed.
 */
export function escapeKeepingColor(text: string): string {
  let out = '';
  let last = 0;
  SGR.lastIndex = 0;
  for (let m = SGR.exec(text); m !== null; m = SGR.exec(text)) {
    out += escapeControl(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + escapeControl(text.slice(last));
}

/** Longest excerpt of a value an error message quotes. */
export const EXCERPT_CHARS = 80;

/**
 * A value quoted in a message: escaped, and cut to `max` characters with the length of the rest
 * named ("…and 52428720 more characters"), so a 50 MB value never reaches a terminal or a log.
 */
export function excerpt(value: string, max = EXCERPT_CHARS): string {
  const chars = Array.from(value.length > max * 4 ? value.slice(0, max * 4) : value);
  if (chars.length <= max && value.length <= max * 4) return escapeControl(value);
  const head = escapeControl(chars.slice(0, max).join(''));
  const rest = value.length - chars.slice(0, max).join('').length;
  return `${head}…(and ${rest} more characters)`;
}

/** Longest message (error text or hint) printed: a safety net behind excerpt(). */
export const MAX_MESSAGE_CHARS = 2000;

/** Escapes a whole message and cuts it to MAX_MESSAGE_CHARS. */
export function safeMessage(text: string, max = MAX_MESSAGE_CHARS): string {
  const cut = text.length > max ? `${text.slice(0, max)}…(message cut: ${text.length - max} more characters)` : text;
  return escapeControl(cut);
}

/** Words of `text` in lines of at most `width` characters; a word is never cut (a longer word gets its own line). */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (cur === '') cur = word;
    else if (cur.length + 1 + word.length <= width) cur += ` ${word}`;
    else {
      lines.push(cur);
      cur = word;
    }
  }
  if (cur !== '') lines.push(cur);
  return lines.length > 0 ? lines : [''];
}
