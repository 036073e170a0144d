;;; emacs_lsp_test.el --- kairos.el as an lsp-mode add-on beside clangd, in batch  -*- lexical-binding: t; -*-

;; Environment as emacs_test.el (ROOT, KAIROS, WS, OUT). Runs only where
;; lsp-mode is installed (Debian: elpa-lsp-mode); the suite skips it
;; otherwise.

(load (expand-file-name "tests/editors/kt.el" (getenv "ROOT")) nil t)

(require 'lsp-mode)
(setq lsp-session-file (expand-file-name "lsp-session" (getenv "HOME"))
      lsp-auto-guess-root t
      lsp-restart 'ignore
      lsp-enable-file-watchers nil
      lsp-enable-snippet nil
      lsp-headerline-breadcrumb-enable nil
      lsp-modeline-code-actions-enable nil
      lsp-modeline-diagnostics-enable nil
      lsp-modeline-workspace-status-enable nil
      lsp-lens-enable nil
      lsp-keep-workspace-alive nil
      lsp-client-packages '(lsp-clangd))
(load (expand-file-name "editors/emacs/kairos.el" (getenv "ROOT")) nil t)
(setq kairos-server-command (list (getenv "KAIROS") "lsp")
      kairos-initialization-options (list :proactive :json-false :tick (list :minInactivityMs 200)))
(kairos-idle-mode-stop)

(defvar kt-notified nil "(METHOD . SERVER-ID) of the notifications sent.")
(advice-add 'lsp-notify :before
            (lambda (method _params)
              (push (cons method (and lsp--cur-workspace (lsp--workspace-server-id lsp--cur-workspace)))
                    kt-notified)))

(defvar kt-ws-kairos nil)
(defvar kt-buf nil)

(defun kt-main ()
  (unless
      (kt-step "lsp-mode starts kairos as an add-on beside clangd"
        (find-file (expand-file-name "src/main.c" kt-ws))
        (setq kt-buf (current-buffer))
        (lsp)
        (setq kt-ws-kairos
              (kt-wait 15 (lambda ()
                            (cl-find-if (lambda (ws) (eq (lsp--workspace-status ws) 'initialized))
                                        (kairos--lsp-workspaces)))))
        (kt-check kt-ws-kairos "no initialized kairos workspace; workspaces: %S"
                  (mapcar #'lsp--workspace-server-id (lsp-workspaces)))
        (kt-check (memq 'clangd (mapcar #'lsp--workspace-server-id (lsp-workspaces)))
                  "clangd is not running beside kairos: %S"
                  (mapcar #'lsp--workspace-server-id (lsp-workspaces))))
    (kt-finish))

  (kt-step "kairos follows the buffer through lsp-mode"
    (with-current-buffer kt-buf
      (goto-char (point-max))
      (insert "/* 😀 edited */\n")
      (kt-check
       (kt-wait 5 (lambda ()
                    (let* ((lsp--cur-workspace kt-ws-kairos)
                           (r (lsp-request "kairos/documentState"
                                           (list :textDocument
                                                 (list :uri (kairos--path-to-uri buffer-file-name))))))
                      (equal (gethash "text" r) (buffer-substring-no-properties (point-min) (point-max))))))
       "the server's text differs from the buffer")))

  (kt-step "kairos/idle goes to the kairos workspace only"
    (with-current-buffer kt-buf
      (setq kt-notified nil)
      (kairos-report-idle 1234)
      (kt-check (equal kt-notified '(("kairos/idle" . kairos))) "sent %S" kt-notified)))

  (let ((cmds (append (lsp-get (lsp-get (lsp--workspace-server-capabilities kt-ws-kairos)
                                        :executeCommandProvider)
                               :commands)
                      nil)))
    (if (not (member "kairos.memories" cmds))
        (kt-skip "kairos-memories through lsp-mode" "server does not advertise kairos.memories yet")
      (kt-step "kairos-memories-list goes through lsp-mode to kairos"
        (with-current-buffer kt-buf
          (let ((names (mapcar (lambda (m) (plist-get m :name))
                               (kairos-memories-list))))
            (kt-check (member "no-strcpy" names) "listed %S" names))))))

  (kt-step "lsp-mode stops kairos"
    (let ((proc (lsp--workspace-proc kt-ws-kairos)))
      (with-current-buffer kt-buf (lsp-workspace-shutdown kt-ws-kairos))
      (kt-check (kt-wait 5 (lambda () (not (process-live-p proc)))) "kairos still runs")))
  (kt-finish))

(kt-run #'kt-main)
