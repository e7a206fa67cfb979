/// The report's style sheet, inlined in its `<head>`: a single column up to 1160 pixels wide, charts in pairs.
enum ReportStyle {
    static let css = """
        :root { color-scheme: light; }
        body { margin: 0; background: #f4f5f7; color: #1d2330;
               font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
        main { max-width: 1160px; margin: 0 auto; padding: 24px 20px 40px; }
        header, section { background: #fff; border: 1px solid #dde1e7; border-radius: 8px;
                          padding: 18px 22px; margin-bottom: 18px; }
        h1 { margin: 0 0 2px; font-size: 26px; overflow-wrap: anywhere; }
        h2 { margin: 0 0 12px; font-size: 19px; }
        .subtitle, .note { color: #5b6475; margin: 0 0 12px; }
        .facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px 18px;
                 margin: 12px 0 0; }
        .facts div { min-width: 0; }
        .facts dt { color: #5b6475; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
        .facts dd { margin: 0; font-size: 17px; font-weight: 600; overflow-wrap: anywhere; }
        .facts .wide { grid-column: 1 / -1; }
        .facts .wide dd { font-size: 14px; font-weight: 500; }
        code { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 13px; overflow-wrap: anywhere; }
        .answer { font-size: 18px; margin: 0 0 8px; }
        .answer strong { background: #1f5fa8; color: #fff; border-radius: 4px; padding: 1px 8px; }
        .options { margin: 0 0 10px; padding-left: 0; list-style: none; }
        .options li { padding: 4px 10px; border-left: 4px solid transparent; color: #5b6475; }
        .options li.chosen { border-left-color: #1f5fa8; background: #eef4fb; color: #1d2330; font-weight: 600; }
        .pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 12px; }
        svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
        svg text { font-family: system-ui, "DejaVu Sans", sans-serif; fill: #1d2330; }
        .chart-title { font-size: 15px; font-weight: 600; }
        .tick { font-size: 11px; fill: #5b6475; }
        .axis-label, .group-label, .legend { font-size: 12px; }
        .bar-value { font-size: 12px; font-weight: 600; }
        .grid { stroke: #e6e9ee; stroke-width: 1; }
        .axis { stroke: #8a93a3; stroke-width: 1; }
        .series { fill: none; stroke: #1f5fa8; stroke-width: 2.2; stroke-linejoin: round; }
        .dot { stroke: #fff; stroke-width: 1; }
        .reference { stroke: #d1495b; stroke-width: 1.5; stroke-dasharray: 6 4; }
        .reference-label { font-size: 12px; fill: #d1495b; }
        .point { stroke: #fff; stroke-width: 1; fill-opacity: .9; }
        .mean { stroke: #1d2330; stroke-width: 2.5; }
        .whisker { stroke: #1d2330; stroke-width: 1.2; }
        .legend-list { display: flex; flex-wrap: wrap; justify-content: center; gap: 6px 14px; margin: 10px 0 0;
                       padding: 0; list-style: none; font-size: 13px; }
        .swatch { display: inline-block; width: 12px; height: 12px; border-radius: 50%; margin-right: 6px;
                  vertical-align: -1px; }
        table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
        th, td { padding: 5px 12px; border-bottom: 1px solid #e6e9ee; text-align: right; }
        th { color: #5b6475; font-weight: 600; font-size: 13px; }
        tr > :first-child { text-align: left; }
        #epochs table { max-width: 720px; }
        footer { color: #5b6475; font-size: 12px; text-align: center; }
        """
}
