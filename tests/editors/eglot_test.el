;;; eglot_test.el --- Real-editor test: Emacs + eglot in batch mode  -*- lexical-binding: t -*-
;;
;; Run by tests/editors/emacs.sh as
;;   emacs -Q --batch -l eglot_test.el SERVER_BINARY POSTMORTEM_FILE
;; Opens the fixture post-mortem in markdown-mode, lets eglot start postmortem-lsp with the
;; same configuration the README gives users, and asserts that flymake receives the
;; diagnostic codes the fixture is built to produce. Exits 1 on any failure.

(require 'package)
;; Under -Q the Debian elpa-* packages are not on the load path until package.el is told
;; where they live.
(setq package-directory-list '("/usr/share/emacs/site-lisp/elpa"))
(package-initialize)
(require 'eglot)
(require 'markdown-mode)
(require 'flymake)

(defvar pm-server (nth 0 command-line-args-left))
(defvar pm-file (nth 1 command-line-args-left))
(setq command-line-args-left nil)
(defvar pm-failures 0)

(defun pm-say (status what)
  (princ (format "%-4s emacs: %s\n" status what)))

(defun pm-check (ok what &optional detail)
  (if ok
      (pm-say "ok" what)
    (setq pm-failures (1+ pm-failures))
    (pm-say "FAIL" (if detail (format "%s: %s" what detail) what)))
  ok)

(defun pm-finish ()
  (princ (format "emacs: %d failure(s)\n" pm-failures))
  (kill-emacs (if (zerop pm-failures) 0 1)))

(defun pm-wait (pred seconds)
  "Process events until PRED returns non-nil or SECONDS pass; return PRED's value."
  (let ((deadline (+ (float-time) seconds))
        (value nil))
    (while (and (not (setq value (funcall pred)))
                (< (float-time) deadline))
      (accept-process-output nil 0.1))
    value))

;; The README's snippet, with the binary under test instead of `postmortem-lsp` on PATH.
(add-to-list 'eglot-server-programs
             `((markdown-mode gfm-mode) . (,pm-server "lsp")))
(setq eglot-sync-connect 10)
(setq flymake-no-changes-timeout nil)

(find-file pm-file)
(pm-check (derived-mode-p 'markdown-mode) "the fixture opens in markdown-mode"
          (symbol-name major-mode))
(condition-case err
    (eglot-ensure)
  (error (pm-check nil "eglot-ensure starts the server" (error-message-string err))))
;; `eglot-ensure' connects from `post-command-hook', which batch mode never runs.
(unless (eglot-current-server)
  (condition-case err
      (apply #'eglot (eglot--guess-contact))
    (error (pm-check nil "eglot connects" (error-message-string err)))))
(unless (pm-check (pm-wait #'eglot-current-server 15) "eglot connects to postmortem-lsp")
  (pm-finish))

(defun pm-code (diag)
  "The LSP code of flymake diagnostic DIAG, from eglot's copy of the LSP diagnostic."
  (let ((lsp (alist-get 'eglot-lsp-diag (flymake-diagnostic-data diag))))
    (or (plist-get lsp :code)
        (let ((text (flymake-diagnostic-text diag)))
          (and (string-match "\\[\\([a-z-]+\\)\\]" text) (match-string 1 text))))))

(let ((diags (pm-wait (lambda ()
                        (flymake-start)
                        (flymake-diagnostics))
                      20)))
  (pm-check diags "flymake receives diagnostics")
  (let* ((codes (sort (delete-dups (mapcar #'pm-code diags)) #'string<))
         (want '("human-error" "invalid-owner" "invalid-timestamp" "missing-ticket")))
    (pm-check (equal codes want)
              (format "diagnostic codes are %s" (string-join want ", "))
              (format "%S" codes))
    (pm-check (cl-every (lambda (d) (string-prefix-p "postmortem" (flymake-diagnostic-text d)))
                        diags)
              "every diagnostic names postmortem as its source")
    (let ((ts (cl-find "invalid-timestamp" diags :key #'pm-code :test #'equal)))
      (pm-check (and ts (equal (buffer-substring (flymake-diagnostic-beg ts)
                                                 (flymake-diagnostic-end ts))
                               "2026-05-20 14:05"))
                "invalid-timestamp covers exactly the bad value"
                (and ts (buffer-substring (flymake-diagnostic-beg ts)
                                          (flymake-diagnostic-end ts)))))))

(ignore-errors (eglot-shutdown (eglot-current-server)))
(pm-finish)
