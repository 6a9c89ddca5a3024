"""The positive list (正面清单): screening, applications, the procedure, publication, ledger — services, pages, API, jobs."""
