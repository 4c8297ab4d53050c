"""Without a database the command line reads the catalog files; one bad file stops nothing."""

import shutil

from sources.catalogfile import CATALOG_DIR
from sources.selectors import catalog_knowledge_from_files


def test_a_bad_catalog_file_is_skipped_and_the_rest_used(tmp_path):
    shutil.copy(CATALOG_DIR / "categories.toml", tmp_path)
    shutil.copy(CATALOG_DIR / "zendesk.toml", tmp_path)
    (tmp_path / "broken.toml").write_text('slug = "broken"\nname = ')
    knowledge = catalog_knowledge_from_files(tmp_path)
    assert [ref.slug for ref in knowledge.vendors_for_spf("mail.zendesk.com")] == ["zendesk"]
