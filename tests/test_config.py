import pytest

from bot.config import ConfigError, load_config, parse_config, require_token


def test_defaults():
    c = parse_config({})
    assert c.telegram.api_url == "https://api.telegram.org"
    assert c.telegram.mode == "polling"
    assert c.storage.path == "netral.db"
    assert c.retention.days == 180


def test_example_config_is_valid_and_complete():
    import yaml

    with open("config.example.yaml", encoding="utf-8") as f:
        data = yaml.safe_load(f)
    c = parse_config(data)
    assert c.moderation.chat_id is not None


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"telegram": {"tokn": "x"}}, "telegram.tokn"),
        ({"telegarm": {}}, "telegarm"),
        ({"telegram": {"mode": "pull"}}, "telegram.mode"),
        ({"storage": {"path": 5}}, "storage.path"),
        ({"admins": "123"}, "admins"),
        ({"admins": [1, "x"]}, "admins[1]"),
        ({"matcher": {"answer_threshold": "high"}}, "matcher.answer_threshold"),
        ({"matcher": {"suggest_threshold": 90, "answer_threshold": 70}}, "matcher"),
        ({"moderation": {"chat_id": True}}, "moderation.chat_id"),
        ({"moderation": {"routes": [{"chat_id": 1, "regionz": []}]}},
         "moderation.routes[0].regionz"),
        ({"retention": {"days": 0}}, "retention.days"),
    ],
)
def test_errors_name_the_key(data, key):
    with pytest.raises(ConfigError) as exc:
        parse_config(data)
    message = str(exc.value)
    assert message.startswith(key)
    assert "\n" not in message


def test_token_from_environment_overrides(tmp_path, monkeypatch):
    path = tmp_path / "c.yaml"
    path.write_text("telegram:\n  token: '1:from-file'\n")
    monkeypatch.setenv("NETRALBOT_TOKEN", "2:from-env")
    assert load_config(str(path)).telegram.token == "2:from-env"


def test_config_path_from_environment(tmp_path, monkeypatch):
    path = tmp_path / "c.yaml"
    path.write_text("storage:\n  path: other.db\n")
    monkeypatch.setenv("NETRALBOT_CONFIG", str(path))
    monkeypatch.delenv("NETRALBOT_TOKEN", raising=False)
    assert load_config(None).storage.path == "other.db"


def test_bad_yaml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("telegram: [unclosed\n")
    with pytest.raises(ConfigError, match="line"):
        load_config(str(bad))
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(str(tmp_path / "missing.yaml"))


def test_missing_token_for_run(monkeypatch):
    monkeypatch.delenv("NETRALBOT_TOKEN", raising=False)
    with pytest.raises(ConfigError, match=r"^telegram\.token: missing"):
        require_token(parse_config({}))
    with pytest.raises(ConfigError, match=r"^telegram\.token"):
        require_token(parse_config({"telegram": {"token": "nocolon"}}))
