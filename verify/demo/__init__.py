"""The demo: the main job on realistic, seeded sample data, from an empty registry to verified diploma inserts.

A library of the command `verify demo` (`web.demo` runs it and then serves the result); nothing here serves HTTP.

    pipeline.py    run_demo(DemoConfig) -> DemoResult: the stages in order, their times, demo.json; print_summary
    stages.py      the registry stages: accounts, blanks, imports, batch issue, print sheets, the lifecycle, inserts
    sampledata.py  generate(seed, graduates) -> SampleData; the CSV and XLSX exports an institution would upload
    reference.py   programmes, qualifications, the ten institutions, the names the graduates are drawn from
    insert.py      render_insert: a diploma insert (210 x 150 mm) with its 30 mm QR code, as printed

Nothing is imported here: `verify demo` imports the registry and Pillow only when it runs.
"""
