"""The policy page's services (issue 10 item 8), beside ``tenant_app.policy.service`` (the
effective policy, its versions and ``policy_for``, which every feature imports):

- ``words``    the words of the pack's keys, units, sources and small vocabularies
- ``rules``    the effective policy grouped by rule id, each value with its sentence and source
- ``edits``    which overridable keys get a form of their kind, and the overrides a form makes
- ``diff``     what changed between two versions of the own overrides
- ``preview``  the effect of a proposed change on live data, computed and not saved
"""
