;;; emacs_proxy_test.el --- eglot + kairos.el in proxy mode: kairos lsp -- clangd  -*- lexical-binding: t; -*-

;; Environment as emacs_test.el (ROOT, KAIROS, WS, OUT). With
;; `kairos-use-proxy', eglot's one server per buffer is kairos in front of
;; clangd: the buffer gets clangd's features and kairos's.

(load (expand-file-name "tests/editors/kt.el" (getenv "ROOT")) nil t)
(load (expand-file-name "editors/emacs/kairos.el" (getenv "ROOT")) nil t)
(setq kairos-server-command (list (getenv "KAIROS") "lsp")
      kairos-use-proxy t
      kairos-initialization-options '(:tick (:minInactivityMs 200))
      eglot-sync-connect 15)
(kairos-idle-mode-stop)

(defvar kt-server nil)
(defvar kt-buf nil)

(defun kt-main ()
  (unless
      (kt-step "kairos-server-program builds kairos lsp -- clangd for C"
        (kt-check (equal (kairos-server-program 'c-mode) (list (getenv "KAIROS") "lsp" "--" "clangd"))
                  "%S" (kairos-server-program 'c-mode))
        (kt-check (equal (kairos-server-program 'text-mode) (list (getenv "KAIROS") "lsp"))
                  "%S" (kairos-server-program 'text-mode))
        (find-file (expand-file-name "src/main.c" kt-ws))
        (setq kt-buf (current-buffer))
        (call-interactively #'eglot)
        (setq kt-server (kt-wait 15 #'eglot-current-server))
        (kt-check (kairos--eglot-server-p kt-server) "the server is %S" kt-server)
        (kt-check (equal (process-command (jsonrpc--process kt-server))
                         (list (getenv "KAIROS") "lsp" "--" "clangd"))
                  "eglot runs %S" (process-command (jsonrpc--process kt-server))))
    (kt-finish))
  (let* ((caps (eglot--capabilities kt-server))
         (cmds (append (plist-get (plist-get caps :executeCommandProvider) :commands) nil)))
    (kt-step "one eglot server gives clangd's features and kairos's"
      (kt-check (plist-get caps :definitionProvider) "no definitionProvider (clangd's): %S" caps)
      (kt-check (member "kairos.memories" cmds) "no kairos.memories: %S" cmds)
      (with-current-buffer kt-buf
        (goto-char (point-min))
        (search-forward "void copy")
        (let ((hover (jsonrpc-request kt-server :textDocument/hover
                                      (list :textDocument (list :uri (kairos--path-to-uri buffer-file-name))
                                            :position (kairos--position (1- (point)))))))
          (kt-check (string-match-p "copy" (format "%S" hover)) "clangd's hover: %S" hover))
        (let ((names (mapcar (lambda (m) (plist-get m :name)) (kairos-memories-list))))
          (kt-check (member "no-strcpy" names) "kairos's memories: %S" names))))
    (if (not (plist-get caps :codeActionProvider))
        (kt-skip "kairos diagnostic through the proxy" "no codeActionProvider")
      (kt-step "kairos's diagnostic reaches flymake through the proxy"
        (kt-check (kt-wait 15 (lambda ()
                                (with-current-buffer kt-buf
                                  (flymake-start)
                                  (cl-some (lambda (d) (string-prefix-p "kairos" (flymake-diagnostic-text d)))
                                           (flymake-diagnostics)))))
                  "no kairos diagnostic: %S"
                  (with-current-buffer kt-buf (mapcar #'flymake-diagnostic-text (flymake-diagnostics)))))))
  (kt-step "the proxy stops cleanly"
    (let ((proc (jsonrpc--process kt-server)))
      (jsonrpc-request kt-server :shutdown nil :timeout 5)
      (jsonrpc-notify kt-server :exit nil)
      (kt-check (kt-wait 5 (lambda () (not (process-live-p proc)))) "kairos still runs")
      (kt-check (and (eq (process-status proc) 'exit) (= (process-exit-status proc) 0))
                "status %s %s" (process-status proc) (process-exit-status proc))
      (ignore-errors (eglot-shutdown kt-server nil 1))))
  (kt-finish))

(kt-run #'kt-main)
