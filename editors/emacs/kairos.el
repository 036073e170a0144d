;;; kairos.el --- kairos, a language server with a memory, for eglot and lsp-mode  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1") (eglot "1.9") (jsonrpc "1.0.14"))
;; Keywords: languages, tools
;; SPDX-License-Identifier: MIT

;;; Commentary:

;; Runs `kairos lsp' through eglot (an entry in `eglot-server-programs'
;; for `kairos-eglot-modes'), or beside another server as an lsp-mode
;; add-on client.  Reports idleness to the server with the `kairos/idle'
;; notification (after `kairos-idle-seconds' without a command, then
;; again every `kairos-idle-seconds' while the person stays away, and
;; when Emacs loses focus), shows the server's messages (once per
;; session, that the workspace is not trusted, naming `kairos-trust'),
;; and adds the commands `kairos-dream', `kairos-remember-region',
;; `kairos-memories', `kairos-undo', `kairos-toggle-proactive' and
;; `kairos-trust'.  See README.md.

;;; Code:

(require 'cl-lib)
(require 'jsonrpc)
(require 'url-util)
(require 'subr-x)
(require 'eieio)
(require 'eglot)

(defgroup kairos nil
  "kairos, a language server with a memory."
  :group 'tools
  :prefix "kairos-")

(defcustom kairos-server-command '("kairos" "lsp")
  "The command that runs the kairos language server, as a list."
  :type '(repeat string))

(defcustom kairos-use-proxy t
  "Whether kairos runs in front of the language's main server.
When non-nil, buffers whose major mode is in `kairos-proxy-servers'
run `kairos lsp -- SERVER...' (proxy mode), so that one eglot server
gives both kairos and the main server (eglot runs one server per
buffer).  When the main server cannot be started, kairos runs alone.
When nil, kairos replaces the mode's usual server in eglot."
  :type 'boolean)

(defcustom kairos-proxy-servers
  '((c-mode . ("clangd"))
    (c++-mode . ("clangd"))
    (objc-mode . ("clangd"))
    (c-ts-mode . ("clangd"))
    (c++-ts-mode . ("clangd")))
  "Main servers that kairos proxies when `kairos-use-proxy' is non-nil.
An alist of (MAJOR-MODE . COMMAND), COMMAND a list of strings."
  :type '(alist :key-type symbol :value-type (repeat string)))

(defcustom kairos-eglot-modes
  '(c-mode c++-mode objc-mode text-mode markdown-mode gfm-mode org-mode
    makefile-gmake-mode sh-mode emacs-lisp-mode python-mode js-mode)
  "Major modes whose buffers eglot manages with kairos.
Eglot 1.9 runs one server per buffer: in these modes kairos replaces
the mode's usual server, unless `kairos-use-proxy' puts that
server behind kairos (the default for C, C++ and Objective-C).
Set this before loading kairos, or call `kairos-eglot-setup' after
changing it."
  :type '(repeat symbol))

(defcustom kairos-initialization-options nil
  "The configuration object of the protocol, as a plist.
Keys left out keep the server's defaults, for instance
  (:proactive t :memoryDir \"/path\" :tick (:minInactivityMs 1500)
   :dream (:idleMs 600000 :minHours 24 :minSignals 5)
   :llm (:provider \"none\"))
Boolean false is :json-false."
  :type 'plist)

(defcustom kairos-idle-seconds 60
  "Report `kairos/idle' after this many seconds without a command.
The report repeats every `kairos-idle-seconds' while Emacs stays idle."
  :type 'number)

(defcustom kairos-report-focus-out t
  "Report `kairos/idle' when Emacs loses focus."
  :type 'boolean)

(defvar kairos-proactive t
  "Whether proactive suggestions are on, as last sent to the servers.")

;;;; Server command

(defun kairos-server-program (&optional mode)
  "The command line that runs kairos for buffers of major MODE.
With `kairos-use-proxy' and MODE in `kairos-proxy-servers', this is
`kairos lsp -- SERVER...'; otherwise `kairos-server-command'."
  (let ((proxied (and kairos-use-proxy mode
                      (cdr (assq mode kairos-proxy-servers)))))
    (if proxied
        (append kairos-server-command '("--") proxied)
      (copy-sequence kairos-server-command))))

(defun kairos--initialization-options ()
  "The initializationOptions object sent to kairos."
  (let ((opts (copy-sequence kairos-initialization-options)))
    (unless (plist-member opts :proactive)
      (unless kairos-proactive
        (setq opts (plist-put opts :proactive :json-false))))
    (or opts (make-hash-table))))

;;;; Positions and URIs (UTF-16, what kairos assumes for eglot 1.9)

(defun kairos--utf16-column (pos)
  "The UTF-16 column of POS in its line."
  (save-excursion
    (goto-char pos)
    (let ((n 0))
      (dolist (c (string-to-list (buffer-substring-no-properties (line-beginning-position) pos)))
        (setq n (+ n (if (> c #xFFFF) 2 1))))
      n)))

(defun kairos--position (pos)
  "The LSP position of POS."
  (save-restriction
    (widen)
    (list :line (1- (line-number-at-pos pos t)) :character (kairos--utf16-column pos))))

(defun kairos--path-to-uri (path)
  "The file URI of PATH."
  (concat "file://" (url-hexify-string (file-truename path) url-path-allowed-chars)))

(defun kairos--uri-to-path (uri)
  "The file name of a file URI."
  (decode-coding-string
   (url-unhex-string (replace-regexp-in-string "\\`file://" "" uri)) 'utf-8))

;;;; Talking to the servers

(defvar lsp--cur-workspace)
(declare-function lsp-request "lsp-mode" (method params &rest args))
(declare-function lsp-notify "lsp-mode" (method params))
(declare-function lsp-session "lsp-mode" ())
(declare-function lsp--session-workspaces "lsp-mode" (session))
(declare-function lsp--workspace-server-id "lsp-mode" (workspace))
(declare-function lsp-workspaces "lsp-mode" ())
(declare-function lsp-register-client "lsp-mode" (client))
(declare-function make-lsp-client "lsp-mode" (&rest args))
(declare-function lsp-stdio-connection "lsp-mode" (command &optional test-command))
(declare-function lsp-configuration-section "lsp-mode" (section))

(defun kairos--eglot-server-p (server)
  "Whether SERVER is an eglot connection to kairos."
  (and server (eieio-object-p server)
       (eq (eieio-object-class-name server) 'eglot-kairos)))

(defun kairos--eglot-servers ()
  "Every running eglot server that is kairos."
  (let (out)
    (maphash (lambda (_project servers)
               (dolist (s servers)
                 (when (and (kairos--eglot-server-p s) (jsonrpc-running-p s))
                   (push s out))))
             eglot--servers-by-project)
    out))

(defun kairos--lsp-workspaces ()
  "Every lsp-mode workspace that runs kairos."
  (when (and (featurep 'lsp-mode) (fboundp 'lsp-session))
    (cl-remove-if-not (lambda (ws) (eq (lsp--workspace-server-id ws) 'kairos))
                      (lsp--session-workspaces (lsp-session)))))

(defun kairos--buffer-eglot-server ()
  "The kairos eglot server of the current buffer, else any kairos server."
  (let ((s (eglot-current-server)))
    (if (kairos--eglot-server-p s) s (car (kairos--eglot-servers)))))

(defun kairos--notify (method params)
  "Send the notification METHOD with PARAMS to every kairos server."
  (dolist (s (kairos--eglot-servers))
    (jsonrpc-notify s method params))
  (dolist (ws (kairos--lsp-workspaces))
    (let ((lsp--cur-workspace ws))
      (lsp-notify (substring (symbol-name method) 1) params))))

(defun kairos--plists (v)
  "V with hash tables (lsp-mode's JSON objects) turned into plists."
  (cond ((hash-table-p v)
         (let (out)
           (maphash (lambda (k x) (setq out (append out (list (intern (concat ":" k)) (kairos--plists x))))) v)
           out))
        ((vectorp v) (vconcat (mapcar #'kairos--plists v)))
        ((consp v) (mapcar #'kairos--plists v))
        (t v)))

(defun kairos-execute (command &optional arguments)
  "Ask kairos to run COMMAND (a string) with ARGUMENTS (a plist or nil).
Returns the result; signals an error when no kairos server runs."
  (let ((params (list :command command
                      :arguments (if arguments (vector arguments) []))))
    (if-let ((s (kairos--buffer-eglot-server)))
        (jsonrpc-request s :workspace/executeCommand params)
      (if-let ((ws (car (kairos--lsp-workspaces))))
          (let ((lsp--cur-workspace ws))
            (kairos--plists (lsp-request "workspace/executeCommand" params)))
        (user-error "kairos: no kairos server is running")))))

;;;; Idle reporting

(defvar kairos--idle-timer nil "The idle timer that starts the reports.")
(defvar kairos--repeat-timer nil "The idle timer of the next repeated report.")

(defun kairos--idle-ms ()
  "How long Emacs has been idle, in ms."
  (let ((idle (current-idle-time)))
    (if idle
        (round (* 1000 (float-time idle)))
      (round (* 1000 kairos-idle-seconds)))))

(defun kairos-report-idle (&optional ms)
  "Send `kairos/idle' with MS (default: the current idle time)."
  (interactive)
  (kairos--notify :kairos/idle (list :idleMs (or ms (kairos--idle-ms)))))

(defun kairos--on-idle ()
  "Report idleness now, and schedule the next report of this idle period."
  (kairos-report-idle)
  (when (timerp kairos--repeat-timer)
    (cancel-timer kairos--repeat-timer))
  (let ((idle (current-idle-time)))
    (setq kairos--repeat-timer
          (run-with-idle-timer (time-add (or idle 0) kairos-idle-seconds) nil
                               #'kairos--on-idle))))

(defun kairos--focus-changed ()
  "Report idleness when no frame has focus any more."
  (when (and kairos-report-focus-out
             (cl-notany #'frame-focus-state (frame-list)))
    (kairos-report-idle (or (and (current-idle-time) (kairos--idle-ms)) 0))))

(defun kairos-idle-mode-start ()
  "Start idle reporting (done when kairos.el is loaded)."
  (kairos-idle-mode-stop)
  (setq kairos--idle-timer (run-with-idle-timer kairos-idle-seconds t #'kairos--on-idle))
  (add-function :after after-focus-change-function #'kairos--focus-changed))

(defun kairos-idle-mode-stop ()
  "Stop idle reporting."
  (dolist (tm (list kairos--idle-timer kairos--repeat-timer))
    (when (timerp tm) (cancel-timer tm)))
  (setq kairos--idle-timer nil kairos--repeat-timer nil)
  (remove-function after-focus-change-function #'kairos--focus-changed))

;;;; Commands

(defun kairos-dream-summary (report)
  "One line saying what the dream REPORT changed."
  (if (not (eq (plist-get report :changed) t))
      (format "dream: nothing to change (%s kept)" (or (plist-get report :kept) 0))
    (let (parts)
      (dolist (k '((:merged . "merged") (:contradictions . "contradictions resolved")
                   (:pruned . "pruned") (:datesFixed . "dates fixed")
                   (:promoted . "promoted") (:archived . "archived")))
        (let ((n (plist-get report (car k))))
          (when (and (numberp n) (> n 0))
            (push (format "%d %s" n (cdr k)) parts))))
      (format "dream: %s; %s kept" (string-join (nreverse parts) ", ")
              (or (plist-get report :kept) 0)))))

(defun kairos-dream (&optional dry-run)
  "Dream now: consolidate the memory (the gates are skipped, not the lock).
With a prefix argument DRY-RUN, only report what would change."
  (interactive "P")
  (let ((report (kairos-execute "kairos.dream"
                                (append '(:force t) (and dry-run '(:dryRun t))))))
    (message "kairos: %s" (kairos-dream-summary report))
    report))

(defun kairos-remember-arguments (beg end &optional store)
  "The arguments of kairos.remember for the text between BEG and END."
  (let ((args (list :text (buffer-substring-no-properties beg end))))
    (when buffer-file-name
      (setq args (append args
                         (list :uri (kairos--path-to-uri buffer-file-name)
                               :range (list :start (kairos--position beg)
                                            :end (kairos--position end))))))
    (when store
      (setq args (append args (list :store store))))
    args))

(defun kairos-remember-region (beg end &optional team)
  "Remember the text between BEG and END (the region).
With a prefix argument TEAM, write to the team store."
  (interactive "r\nP")
  (let ((r (kairos-execute "kairos.remember"
                           (kairos-remember-arguments beg end (and team "team")))))
    (message "kairos: remembered %s" (plist-get r :name))
    r))

(defun kairos-remember (text &optional team)
  "Remember TEXT.  With a prefix argument TEAM, write to the team store."
  (interactive "sRemember: \nP")
  (let ((r (kairos-execute "kairos.remember"
                           (append (list :text text) (and team '(:store "team"))))))
    (message "kairos: remembered %s" (plist-get r :name))
    r))

(defun kairos-memories-list ()
  "The memories, as a list of plists (:name :description :type :store :uri)."
  (append (kairos-execute "kairos.memories") nil))

(defun kairos-memories ()
  "List the memories and open the one chosen."
  (interactive)
  (let* ((list (kairos-memories-list))
         (cands (mapcar (lambda (m)
                          (cons (format "%s [%s, %s]: %s" (plist-get m :name)
                                        (plist-get m :type) (plist-get m :store)
                                        (plist-get m :description))
                                m))
                        list)))
    (if (null cands)
        (message "kairos: no memories yet")
      (let* ((choice (completing-read "kairos memory: " cands nil t))
             (m (cdr (assoc choice cands))))
        (when m
          (find-file (kairos--uri-to-path (plist-get m :uri))))))))

(defun kairos-undo ()
  "Undo the last change kairos made to the memory store."
  (interactive)
  (let ((r (kairos-execute "kairos.undo")))
    (message "kairos: reverted %s" (plist-get r :reverted))
    r))

(defun kairos-set-proactive (on)
  "Turn proactive suggestions ON (non-nil) or off in every kairos server."
  (setq kairos-proactive (and on t))
  (kairos--notify :workspace/didChangeConfiguration
                  (list :settings (list :kairos (list :proactive (if on t :json-false)))))
  (message "kairos: proactive suggestions %s" (if on "on" "off")))

(defun kairos-toggle-proactive ()
  "Toggle proactive suggestions."
  (interactive)
  (kairos-set-proactive (not kairos-proactive)))

(defun kairos-trust (&optional revoke)
  "Trust this workspace's team store and instruction files.
Their memories then offer their quick fixes and instruct a model; the
decision is recorded for every later session, as `kairos trust' in a
terminal would.  With a prefix argument REVOKE, take it back."
  (interactive "P")
  (let ((r (kairos-execute "kairos.trust" (and revoke '(:revoke t)))))
    (message "kairos: %s"
             (if (eq (plist-get r :trusted) t)
                 "workspace trusted: its team memories and instruction files offer their fixes"
               "workspace not trusted: its team memories and instruction files show diagnostics only"))
    r))

(defun kairos--trust-hint (message)
  "MESSAGE, with the command that trusts the workspace when it is about trust."
  (if (and (stringp message)
           (or (string-match-p "not trusted" message) (string-match-p "Restricted Mode" message)))
      (concat message " In Emacs: M-x kairos-trust.")
    message))

;;;; eglot

(defun kairos--eglot-contact (&optional _interactive)
  "The eglot contact for the current buffer's major mode."
  (cons 'eglot-kairos (kairos-server-program major-mode)))

(defun kairos-eglot-setup ()
  "Put kairos first in `eglot-server-programs' for `kairos-eglot-modes'."
  (setq eglot-server-programs
        (cl-remove-if (lambda (e) (eq (cdr e) #'kairos--eglot-contact)) eglot-server-programs))
  (push (cons kairos-eglot-modes #'kairos--eglot-contact) eglot-server-programs))

(defclass eglot-kairos (eglot-lsp-server) ()
  :documentation "An eglot connection to kairos.")

(cl-defmethod eglot-initialization-options ((_server eglot-kairos))
  "kairos's initializationOptions: `kairos-initialization-options'."
  (kairos--initialization-options))

(cl-defmethod eglot-handle-notification :around
  ((server eglot-kairos) (method (eql window/showMessage)) &rest args &key message &allow-other-keys)
  "Show kairos's MESSAGE, naming `kairos-trust' when it is about trust."
  (apply #'cl-call-next-method server method
         (plist-put (copy-sequence args) :message (kairos--trust-hint message))))

(kairos-eglot-setup)

;;;; lsp-mode (as an add-on beside the language's main server)

(with-eval-after-load 'lsp-mode
  (lsp-register-client
   (make-lsp-client
    :new-connection (lsp-stdio-connection (lambda () (kairos-server-program)))
    :activation-fn (lambda (&rest _) t)
    :add-on? t
    :priority -1
    :server-id 'kairos
    :initialization-options #'kairos--initialization-options)))

(kairos-idle-mode-start)

(provide 'kairos)
;;; kairos.el ends here
