//! The web page of a commit, from the `origin` remote's URL: GitHub, GitLab and Bitbucket,
//! in their `git@host:owner/repo.git`, `ssh://…` and `https://…` forms.

/// `https://host/owner/repo` and the host's path to a commit, for a known host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebRepo {
    pub base: String,
    /// `commit` (GitHub), `-/commit` (GitLab) or `commits` (Bitbucket).
    commit_path: &'static str,
}

impl WebRepo {
    pub fn commit_url(&self, sha: &str) -> String {
        format!("{}/{}/{sha}", self.base, self.commit_path)
    }
}

/// Parses a remote URL. Unknown hosts, local paths and anything odd give `None`.
pub fn parse_remote(url: &str) -> Option<WebRepo> {
    let url = url.trim();
    let (host, path) = if let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .or_else(|| url.strip_prefix("ssh://"))
        .or_else(|| url.strip_prefix("git://"))
    {
        let (authority, path) = rest.split_once('/')?;
        let host = authority.rsplit('@').next()?;
        // `ssh://git@host:22/…` carries a port; web pages never do.
        (host.split(':').next()?, path)
    } else {
        // scp-like syntax: `[user@]host:owner/repo.git`.
        let (authority, path) = url.split_once(':')?;
        if authority.contains('/') || path.starts_with('/') {
            return None;
        }
        (authority.rsplit('@').next()?, path)
    };
    let host = host.to_ascii_lowercase();
    let commit_path = if host == "github.com" || host.starts_with("github.") {
        "commit"
    } else if host == "gitlab.com" || host.starts_with("gitlab.") {
        "-/commit"
    } else if host == "bitbucket.org" {
        "commits"
    } else {
        return None;
    };
    let path = path.trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let segments: Vec<&str> = path.split('/').collect();
    // GitLab groups nest (`group/sub/repo`); GitHub and Bitbucket have exactly two parts.
    let shape_ok = if commit_path == "-/commit" {
        segments.len() >= 2
    } else {
        segments.len() == 2
    };
    let clean = |s: &&str| {
        !s.is_empty()
            && *s != "."
            && *s != ".."
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '~'))
    };
    if !shape_ok || !segments.iter().all(clean) || !host.chars().all(is_host_char) {
        return None;
    }
    Some(WebRepo {
        base: format!("https://{host}/{}", segments.join("/")),
        commit_path,
    })
}

fn is_host_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '-'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(url: &str) -> Option<String> {
        parse_remote(url).map(|r| r.commit_url("9f1c2ab7e4d0"))
    }

    #[test]
    fn github_remotes() {
        let want = Some("https://github.com/acme/shop/commit/9f1c2ab7e4d0".to_string());
        assert_eq!(link("git@github.com:acme/shop.git"), want);
        assert_eq!(link("git@github.com:acme/shop"), want);
        assert_eq!(link("https://github.com/acme/shop.git"), want);
        assert_eq!(link("https://github.com/acme/shop"), want);
        assert_eq!(link("https://github.com/acme/shop/"), want);
        assert_eq!(link("https://token@github.com/acme/shop.git"), want);
        assert_eq!(link("ssh://git@github.com:22/acme/shop.git"), want);
        assert_eq!(link("ssh://git@github.com/acme/shop.git\n"), want);
        assert_eq!(
            link("git@github.example.com:team/app.git").as_deref(),
            Some("https://github.example.com/team/app/commit/9f1c2ab7e4d0")
        );
    }

    #[test]
    fn gitlab_and_bitbucket_remotes() {
        assert_eq!(
            link("git@gitlab.com:group/sub/app.git").as_deref(),
            Some("https://gitlab.com/group/sub/app/-/commit/9f1c2ab7e4d0")
        );
        assert_eq!(
            link("https://gitlab.com/group/app").as_deref(),
            Some("https://gitlab.com/group/app/-/commit/9f1c2ab7e4d0")
        );
        assert_eq!(
            link("git@bitbucket.org:team/app.git").as_deref(),
            Some("https://bitbucket.org/team/app/commits/9f1c2ab7e4d0")
        );
        assert_eq!(
            link("https://ana@bitbucket.org/team/app.git").as_deref(),
            Some("https://bitbucket.org/team/app/commits/9f1c2ab7e4d0")
        );
    }

    #[test]
    fn unknown_or_odd_remotes_give_no_link() {
        for url in [
            "",
            "/srv/git/shop.git",
            "../shop",
            "file:///srv/git/shop.git",
            "git@example.com:acme/shop.git",
            "https://github.com/acme",
            "https://github.com/acme/shop/extra",
            "https://github.com/acme/sh op",
            "https://github.com/acme/shop)](javascript:x",
            "git@github.com:/abs/path.git",
            "https://github.com/../shop",
        ] {
            assert_eq!(link(url), None, "{url}");
        }
    }
}
