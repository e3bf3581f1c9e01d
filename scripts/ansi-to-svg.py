#!/usr/bin/env python3
"""Renders terminal text with ANSI SGR colour codes (tmux capture-pane -e) as an SVG "screenshot".

    python3 scripts/ansi-to-svg.py < capture.ansi > out.svg

Only what a capture holds is handled: reset, bold, dim, the 8/16 basic colours, 256-colour and
24-bit colours. Monospace text, one <text> per run of same-style characters.
"""
import html
import re
import sys

BASE = ['#1e1e1e', '#e06c75', '#98c379', '#e5c07b', '#61afef', '#c678dd', '#56b6c2', '#dcdfe4']
BRIGHT = ['#5c6370', '#ff7b86', '#b5e890', '#ffd68a', '#7cc1ff', '#de98f0', '#6fd3df', '#ffffff']
FG, BG = '#dcdfe4', '#1e1e1e'
CW, LH, PAD = 8.4, 18, 16


def c256(n):
    if n < 8:
        return BASE[n]
    if n < 16:
        return BRIGHT[n - 8]
    if n < 232:
        n -= 16
        v = [0, 95, 135, 175, 215, 255]
        return '#%02x%02x%02x' % (v[n // 36], v[(n // 6) % 6], v[n % 6])
    g = 8 + (n - 232) * 10
    return '#%02x%02x%02x' % (g, g, g)


def parse(line):
    style = {'fg': None, 'bold': False, 'dim': False}
    runs, text = [], ''
    for part in re.split(r'(\x1b\[[0-9;]*m)', line):
        if not part.startswith('\x1b['):
            if part:
                runs.append((dict(style), part))
            continue
        codes = [int(c) if c else 0 for c in part[2:-1].split(';')]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                style = {'fg': None, 'bold': False, 'dim': False}
            elif c == 1:
                style['bold'] = True
            elif c == 2:
                style['dim'] = True
            elif c == 22:
                style['bold'] = style['dim'] = False
            elif 30 <= c <= 37:
                style['fg'] = BASE[c - 30]
            elif 90 <= c <= 97:
                style['fg'] = BRIGHT[c - 90]
            elif c == 39:
                style['fg'] = None
            elif c == 38 and i + 2 < len(codes) and codes[i + 1] == 5:
                style['fg'] = c256(codes[i + 2])
                i += 2
            elif c == 38 and i + 4 < len(codes) and codes[i + 1] == 2:
                style['fg'] = '#%02x%02x%02x' % tuple(codes[i + 2:i + 5])
                i += 4
            i += 1
    return runs


def main():
    lines = sys.stdin.read().rstrip('\n').split('\n')
    plain = [re.sub(r'\x1b\[[0-9;]*m', '', l) for l in lines]
    cols = max([len(p) for p in plain] + [60])
    w, h = int(cols * CW + 2 * PAD), int(len(lines) * LH + 2 * PAD + 28)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">',
           f'<rect width="{w}" height="{h}" rx="8" fill="{BG}"/>',
           '<circle cx="20" cy="16" r="6" fill="#ff5f56"/><circle cx="40" cy="16" r="6" fill="#ffbd2e"/><circle cx="60" cy="16" r="6" fill="#27c93f"/>',
           f'<g font-family="DejaVu Sans Mono, monospace" font-size="14" xml:space="preserve">']
    for n, line in enumerate(lines):
        x, y = 0, PAD + 28 + n * LH
        for st, t in parse(line):
            fill = st['fg'] or FG
            attrs = f' fill="{fill}"' + (' font-weight="bold"' if st['bold'] else '') + (' opacity="0.6"' if st['dim'] else '')
            if t.strip():
                out.append(f'<text x="{PAD + x * CW:.1f}" y="{y}"{attrs} textLength="{len(t) * CW:.1f}" lengthAdjust="spacingAndGlyphs">{html.escape(t)}</text>')
            x += len(t)
    out.append('</g></svg>')
    print('\n'.join(out))


if __name__ == '__main__':
    main()
