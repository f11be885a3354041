# Finds the `! cmd` lines of bats files that can never fail a test:   awk -f bats-lint.awk FILE...
#
# Bats runs a test with errexit, and bash's errexit ignores a negated command, so a `! cmd` in the middle
# of a test (or of a function a test calls) passes whatever cmd does.  Only as the last command of the
# body does it count (it is then the body's status).  Prints one line per offender, FILE:LINE: TEXT:
#   - a line that starts with `! ` (or ends in `&& ! cmd` / `|| ! cmd`) and is not the body's last;
#   - `! cmd` after `;`, `{`, `do`, `then` or `else` (a loop body, a group, a branch), wherever it is.
# The conditions of if/elif/while/until are left alone, and so are quoted text and here-documents.  A body starts at a
# line `@test "..." {` or `name() {` and ends at a `}` in the first column (the layout of our files).

function outside_quotes(s,   d, q) { d = gsub(/"/, "", s); q = gsub(/'/, "", s); return d % 2 == 0 && q % 2 == 0 }
# s without what is inside quotes ('...', "..." and \x escapes), so that text in strings is no command
function unquoted(s,   out, i, c, q) {
    out = ""; q = ""
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (q == "" && c == "\\") { i++; continue }
        if (q == "\"" && c == "\\") { i++; continue }
        if (q == "" && (c == "'" || c == "\"")) { q = c; out = out c; continue }
        if (q != "" && c == q) { q = ""; out = out c; continue }
        if (q == "") out = out c
    }
    return out
}
function flush_pending() { if (pending != "") { print pending; pending = "" } }

FNR == 1 { flush_pending(); body = 0; heredoc = "" }

heredoc != "" {
    line = $0
    if (strip_tabs) sub(/^\t+/, "", line)
    if (line == heredoc) heredoc = ""
    next
}

{
    line = $0
    # a here-document starts (not the <<< here-string, not "<< Empty Schema >>" inside a string)
    if (match(line, /<<-?[ \t]*['"]?[A-Za-z_][A-Za-z0-9_]*['"]?/) && substr(line, RSTART, 3) != "<<<" &&
        outside_quotes(substr(line, 1, RSTART - 1))) {
        heredoc = substr(line, RSTART, RLENGTH)
        strip_tabs = heredoc ~ /^<<-/
        gsub(/^<<-?[ \t]*|['"]/, "", heredoc)
    }
    text = line
    sub(/^[ \t]+/, "", text)
    if (text == "" || text ~ /^#/) next
    if (!body) {
        body = text ~ /^@test .*\{[ \t]*$/ || text ~ /^(function[ \t]+)?[A-Za-z_][A-Za-z0-9_:.-]*[ \t]*\(\)[ \t]*\{[ \t]*$/
        next
    }
    if (line ~ /^\}[ \t]*$/) {          # end of the body: a pending line was its last command, it counts
        pending = ""; body = 0; next
    }
    flush_pending()
    cmd = unquoted(text)
    if (cmd ~ /^(if|elif|while|until)[ \t]/) {
        if (!match(cmd, /;[ \t]*(then|do)([ \t]|$)/)) next
        cmd = substr(cmd, RSTART + RLENGTH)
    }
    here = FILENAME ":" FNR ": " text
    if (cmd ~ /(;|\{|(^|[ \t])(do|then|else))[ \t]+![ \t]/ || cmd ~ /(^|[ \t;])do[ \t].*(&&|\|\|)[ \t]*![ \t]/)
        print here
    else if (cmd ~ /^![ \t]/ || cmd ~ /(&&|\|\|)[ \t]*![ \t]/)
        pending = here
}

END { flush_pending() }
