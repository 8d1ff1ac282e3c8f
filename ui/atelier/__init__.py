"""App side of the Atelier page, one module per view, all taking one `AtelierContext`.

`context` (cached store and base, territory, author key, PIN, flash messages, the context object),
`workshop` (choose or create the workshop), `cards` (an enjeu card, the list), `participant` (the
form), `projector` (the room's board), `animation` (the facilitator's space), `exports` (downloads).
"""
